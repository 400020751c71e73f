"""Key figures for the public pages, aggregated in the database.

Each public figure has one selector here, used by the page, the API, the CSV files and the
PDFs alike, so the same figure never reads differently on two surfaces.
"""

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum

from .models import Agreement, Pledge

ACTIVE = Agreement.Status.ACTIVE


def public_pledges(alliance=None):
    """The published pledges: public pledges of active agreements (of `alliance`, or all).
    The pages' count and the API's list (/api/v1/pledges/) are this queryset."""
    pledges = Pledge.objects.filter(agreement__status=ACTIVE, is_public=True)
    if alliance is not None:
        pledges = pledges.filter(agreement__alliance=alliance)
    return pledges


def pledged_reduction(alliance=None):
    """The published pledges: how many (`count`, as the API lists them) and the tonnes CO2e
    they cut (baseline − target), summed over those measured in CO2e (`tonnes`, with
    `counted`: how many those are); other metrics are not tonnes. One query."""
    in_tonnes = Q(is_milestone=False, metric__icontains="co2")
    cut = ExpressionWrapper(
        F("baseline_value") - F("target_value"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
    return public_pledges(alliance).aggregate(
        count=Count("id"),
        tonnes=Sum(cut, filter=in_tonnes),
        counted=Count("id", filter=in_tonnes),
    )


def alliance_figures(alliance):
    """Partners, industries and pledges of one alliance, in two queries."""
    agreements = Agreement.objects.filter(alliance=alliance, status=ACTIVE)
    counts = agreements.aggregate(
        partners=Count("company", distinct=True),
        industries=Count("company__industry", distinct=True),
    )
    counts["pledged"] = pledged_reduction(alliance)
    return counts


def partner_counts():
    """Annotations for a queryset of alliances: partners and industries with an active
    agreement."""
    active = Q(agreements__status=ACTIVE)
    return {
        "partner_count": Count("agreements__company", filter=active, distinct=True),
        "industry_count": Count("agreements__company__industry", filter=active, distinct=True),
    }
