"""Keeps the rows of `emissions.models.summaries` equal to what the approved reports say.

`report_approved` runs inside the transaction that approves a report
(`reporting.report_approve`, or the admin's change form); `rebuild` recomputes every row
from the reports (the data migration, `manage.py rebuild_emission_summaries`, and data
loaded around the services). Each function recomputes its rows from the source instead of
adding to them, so running it again never drifts. Functions take an app registry so the
migration can use its own models."""

from django.apps import apps as installed_apps
from django.db import transaction
from django.db.models import Count, F, Sum

from companies.models import Company

from .models import AllianceFigures, ReportingRound

APPROVED = "approved"


def _model(apps, name):
    return apps.get_model("emissions", name)


def _approved_inventories(apps, alliance_ids, company_ids=None, years=None):
    """Inventories of a year approved in one of the alliances' rounds; `alliance` named.
    One filter() call, so every condition on the reports applies to the same report."""
    reports = {"company__reports__status": APPROVED, "company__reports__round__year": F("year")}
    if alliance_ids is not None:
        reports["company__reports__round__alliance_id__in"] = alliance_ids
    rows = _model(apps, "Inventory").objects.filter(**reports)
    if company_ids is not None:
        rows = rows.filter(company_id__in=company_ids)
    if years is not None:
        rows = rows.filter(year__in=years)
    return rows.annotate(alliance=F("company__reports__round__alliance_id"))


def _scope(queryset, alliance_ids, **filters):
    if alliance_ids is not None:
        queryset = queryset.filter(alliance_id__in=alliance_ids)
    return queryset.filter(**{k: v for k, v in filters.items() if v is not None})


def refresh_latest(apps, alliance_ids=None, company_ids=None):
    """Each company's latest approved year per alliance (`selectors.company_rows`' rule)."""
    model = _model(apps, "LatestApproved")
    latest = {}
    rows = (
        _approved_inventories(apps, alliance_ids, company_ids)
        .order_by("alliance", "company_id", "-year")
        .values_list("alliance", "company_id", "year", "total_location_t")
    )
    for alliance_id, company_id, year, tonnes in rows.iterator(chunk_size=5_000):
        latest.setdefault((alliance_id, company_id), (year, tonnes))
    _scope(model.objects, alliance_ids, company_id__in=company_ids).delete()
    model.objects.bulk_create(
        (
            model(alliance_id=a, company_id=c, year=year, total_location_t=tonnes)
            for (a, c), (year, tonnes) in latest.items()
        ),
        batch_size=5_000,
    )


def refresh_year_totals(apps, alliance_ids=None, years=None):
    """The approved figures summed per alliance and year, whoever is a member now."""
    model = _model(apps, "ApprovedYearTotal")
    sums = (
        _approved_inventories(apps, alliance_ids, years=years)
        .values("alliance", "year")
        .annotate(
            n=Count("pk"),
            s1=Sum("scope1_t"),
            s2l=Sum("scope2_location_t"),
            s2m=Sum("scope2_market_t"),
            s3=Sum("scope3_t"),
            tl=Sum("total_location_t"),
            tm=Sum("total_market_t"),
        )
        .order_by()
    )
    totals = [
        model(
            alliance_id=row["alliance"],
            year=row["year"],
            companies=row["n"],
            scope1_t=row["s1"],
            scope2_location_t=row["s2l"],
            scope2_market_t=row["s2m"],
            scope3_t=row["s3"],
            total_location_t=row["tl"],
            total_market_t=row["tm"],
        )
        for row in sums
    ]
    _scope(model.objects, alliance_ids, year__in=years).delete()
    model.objects.bulk_create(totals)


def refresh_standings(apps, pledge_ids=None):
    """Each pledge's latest approved answer, judged (`selectors.with_on_track`)."""
    from .selectors import latest_statuses, with_on_track

    model = _model(apps, "PledgeStanding")
    pledges = apps.get_model("partnerships", "Pledge").objects.all()
    if pledge_ids is not None:
        pledges = pledges.filter(pk__in=pledge_ids)
    statuses = with_on_track(
        latest_statuses(pledges, statuses=_model(apps, "PledgeStatus").objects)
    ).values_list("pledge_id", "report__round__year", "value", "milestone", "on_track")
    standings = {
        pledge_id: model(
            pledge_id=pledge_id, year=year, value=value, milestone=milestone, on_track=on_track
        )
        for pledge_id, year, value, milestone, on_track in statuses.iterator(chunk_size=5_000)
    }
    stale = model.objects.all()
    if pledge_ids is not None:
        stale = stale.filter(pledge_id__in=pledge_ids)
    stale.delete()
    model.objects.bulk_create(standings.values(), batch_size=5_000)


@transaction.atomic
def report_approved(report):
    """Bring the rows up to date with `report`, just approved (in the same transaction).

    The round's and the company's rows are locked first (always in that order), so two
    approvals that touch the same sums take turns, and the second one's sums include the
    first's report."""
    ReportingRound.objects.select_for_update().only("pk").get(pk=report.round_id)
    Company.objects.select_for_update().only("pk").get(pk=report.company_id)
    alliance_ids, year = [report.round.alliance_id], report.round.year
    refresh_latest(installed_apps, alliance_ids, [report.company_id])
    refresh_year_totals(installed_apps, alliance_ids, [year])
    refresh_standings(
        installed_apps, list(report.pledge_statuses.values_list("pledge_id", flat=True))
    )
    AllianceFigures.objects.outdate(alliance_ids)


@transaction.atomic
def rebuild(apps=installed_apps, *, alliance_ids=None):
    """Every row (of `alliance_ids`' rounds and agreements) recomputed from the reports."""
    refresh_latest(apps, alliance_ids)
    refresh_year_totals(apps, alliance_ids)
    pledge_ids = None
    if alliance_ids is not None:
        pledges = apps.get_model("partnerships", "Pledge").objects
        pledge_ids = pledges.filter(agreement__alliance_id__in=alliance_ids).values("pk")
    refresh_standings(apps, pledge_ids)
    if apps is installed_apps:  # a migration's registry may predate AllianceFigures
        figures = AllianceFigures.objects
        figures.outdate(alliance_ids if alliance_ids is not None else figures.values("pk"))
