"""Key figures for the public pages, aggregated in the database."""

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum

from .models import Agreement, Pledge

ACTIVE = Agreement.Status.ACTIVE


def pledged_reduction(alliance=None):
    """Tonnes CO2e the partners have publicly pledged to cut (baseline − target), summed.

    Only quantitative public pledges measured in CO2e count; other metrics are not tonnes.
    """
    pledges = Pledge.objects.filter(
        agreement__status=ACTIVE, is_public=True, is_milestone=False, metric__icontains="co2"
    )
    if alliance is not None:
        pledges = pledges.filter(agreement__alliance=alliance)
    cut = ExpressionWrapper(
        F("baseline_value") - F("target_value"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
    return pledges.aggregate(tonnes=Sum(cut), count=Count("id"))


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
