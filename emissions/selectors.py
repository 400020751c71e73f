"""Reads of an alliance's emissions shared by the staff dashboard, its charts, the annual
report PDF and the exports.

"Approved" figures are those of a year whose report in one of the alliance's rounds staff
approved; only they count towards the alliance's totals, because a draft can be half
entered. Approval keeps what it settles on rows (`emissions.models.summaries`): each
member's latest approved total, the sums per year and each pledge's standing. The current
figures read those rows and the baseline inventories, joined to the live membership, so a
page costs the same handful of queries, each reading one row per member at most, for 3
members or 5,000. A past year (the annual report) is summed from the inventories' stored
totals.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from companies import access
from klimaalliance.models import AllianceTarget
from partnerships.models import Agreement, Pledge

from .models import (
    ApprovedYearTotal,
    Inventory,
    LatestApproved,
    PledgeStatus,
    Report,
    ReportingRound,
)

ZERO = Decimal(0)
TONNES = DecimalField(max_digits=16, decimal_places=3)


def members(alliance):
    """The alliance's reporting members (`companies.access.reporting_companies`)."""
    return access.reporting_companies(alliance)


def approved_in(alliance, *, company=None, year=None):
    """Exists(): the report of `company` for `year` in one of the alliance's rounds is
    approved. `company` and `year` are expressions (usually OuterRef)."""
    return Exists(
        Report.objects.filter(
            company=company if company is not None else OuterRef("company"),
            round__year=year if year is not None else OuterRef("year"),
            round__alliance=alliance,
            status=Report.Status.APPROVED,
        )
    )


def approved_inventories(alliance):
    """Inventories of active members whose year staff approved in the alliance's rounds."""
    return Inventory.objects.filter(company__in=members(alliance)).filter(approved_in(alliance))


def latest_round(alliance):
    return ReportingRound.objects.filter(alliance=alliance).order_by("-year").first()


def _baseline_and_latest(alliance, until_year=None):
    """Subqueries of a member's baseline inventory and its latest approved one."""
    baseline = Inventory.objects.filter(company=OuterRef("pk"), is_baseline=True).order_by()
    latest = (
        Inventory.objects.filter(company=OuterRef("pk"))
        .filter(approved_in(alliance, company=OuterRef("company"), year=OuterRef("year")))
        .order_by("-year")
    )
    if until_year is not None:
        latest = latest.filter(year__lte=until_year)
    return baseline, latest


def _member_totals(alliance, until_year=None):
    """Active members annotated with their baseline year and total and their latest
    approved year and total (up to `until_year`).

    Now: each member's baseline inventory and the `LatestApproved` row approval keeps,
    joined by their unique indexes (one row each), so a sum over all members is one pass
    and a page of them is read in name order with a lookup per row. A past year (an annual
    report) looks the latest year up among the reports."""
    if until_year is None:
        return members(alliance).annotate(
            baseline=FilteredRelation("inventories", condition=Q(inventories__is_baseline=True)),
            latest=FilteredRelation(
                "latest_approved", condition=Q(latest_approved__alliance=alliance)
            ),
            baseline_year=F("baseline__year"),
            baseline_t=F("baseline__total_location_t"),
            latest_year=F("latest__year"),
            latest_t=F("latest__total_location_t"),
        )
    baseline, latest = _baseline_and_latest(alliance, until_year)
    return members(alliance).annotate(
        baseline_year=Subquery(baseline.values("year")[:1]),
        baseline_t=Subquery(baseline.values("total_location_t")[:1], output_field=TONNES),
        latest_year=Subquery(latest.values("year")[:1]),
        latest_t=Subquery(latest.values("total_location_t")[:1], output_field=TONNES),
    )


def company_rows(alliance, *, latest_round_id=None, until_year=None):
    """Active members, each annotated (in one query) with its baseline year and total, its
    latest approved year and total (up to `until_year`), and its report status in the
    round `latest_round_id`. Meant for a page of members, or for all of them in a PDF."""
    rows = _member_totals(alliance, until_year)
    if latest_round_id:
        rows = rows.annotate(
            this_round=FilteredRelation("reports", condition=Q(reports__round=latest_round_id)),
            report_status=F("this_round__status"),
        )
    else:
        rows = rows.annotate(report_status=Value(None, output_field=CharField()))
    return rows.order_by("legal_name", "pk")


@dataclass(frozen=True)
class Headline:
    members: int
    reporting: int  # members with approved figures for at least one year
    with_baseline: int
    baseline_t: Decimal  # every member's baseline, summed
    comparable: int  # members with both a baseline and approved figures
    comparable_baseline_t: Decimal
    comparable_latest_t: Decimal
    first_baseline_year: int | None = None  # the earliest of the members' baseline years

    @property
    def reduction_t(self) -> Decimal:
        return self.comparable_baseline_t - self.comparable_latest_t

    @property
    def reduction_percent(self) -> Decimal | None:
        if not self.comparable_baseline_t:
            return None
        return self.reduction_t / self.comparable_baseline_t * 100


def headline(alliance, *, until_year=None) -> Headline:
    """The alliance's totals in one query. The reduction compares like with like: the
    baselines and latest figures of the members that have both.

    For a past year each member's two totals are looked up once in an inner query;
    `distinct()` keeps PostgreSQL from folding that query into the outer one, which would
    repeat both lookups for every aggregate that mentions them.
    """
    both = Q(baseline_t__isnull=False, latest_t__isnull=False)
    totals = _member_totals(alliance, until_year).order_by()
    totals = totals.values("pk", "baseline_year", "baseline_t", "latest_t")
    if until_year is not None:
        totals = totals.distinct()
    totals = totals.aggregate(
        n_members=Count("pk"),
        n_reporting=Count("latest_t"),
        n_baseline=Count("baseline_t"),
        n_both=Count("pk", filter=both),
        baseline_sum=Sum("baseline_t"),
        both_baseline=Sum("baseline_t", filter=both),
        both_latest=Sum("latest_t", filter=both),
        first_baseline_year=Min("baseline_year"),
    )
    return Headline(
        members=totals["n_members"],
        reporting=totals["n_reporting"],
        with_baseline=totals["n_baseline"],
        baseline_t=totals["baseline_sum"] or ZERO,
        comparable=totals["n_both"],
        comparable_baseline_t=totals["both_baseline"] or ZERO,
        comparable_latest_t=totals["both_latest"] or ZERO,
        first_baseline_year=totals["first_baseline_year"],
    )


@dataclass(frozen=True)
class YearTotal:
    year: int
    companies: int
    scope1_t: Decimal
    scope2_location_t: Decimal
    scope2_market_t: Decimal
    scope3_t: Decimal
    total_location_t: Decimal
    total_market_t: Decimal


SUMS = {
    "companies": Count("pk"),
    "scope1_t": Sum("scope1_t"),
    "scope2_location_t": Sum("scope2_location_t"),
    "scope2_market_t": Sum("scope2_market_t"),
    "scope3_t": Sum("scope3_t"),
    "total_location_t": Sum("total_location_t"),
    "total_market_t": Sum("total_market_t"),
}


def year_totals(alliance) -> list[YearTotal]:
    """The approved figures of the alliance's members summed per year (two queries).

    Approval keeps the sums of every company approved in the alliance's rounds
    (`ApprovedYearTotal`); the figures of those that are no longer counted members are
    subtracted here, so the cost follows the leavers, not the members."""
    totals = {
        row.year: {name: getattr(row, name) for name in SUMS}
        for row in ApprovedYearTotal.objects.filter(alliance=alliance)
    }
    gone = (
        LatestApproved.objects.filter(alliance=alliance)
        .exclude(company__in=members(alliance))
        .values("company_id")
    )
    leavers = (
        Inventory.objects.filter(company__in=gone)
        .filter(approved_in(alliance))
        .values("year")
        .annotate(**SUMS)
        .order_by()
    )
    for row in leavers:
        total = totals.get(row["year"])
        for name in SUMS if total else ():
            total[name] -= row[name] or 0
    return [
        YearTotal(year, **{name: value or ZERO for name, value in total.items()})
        for year, total in sorted(totals.items())
        if total["companies"]
    ]


def first_baseline_year(alliance) -> int | None:
    return (
        Inventory.objects.filter(company__in=members(alliance), is_baseline=True)
        .order_by("year")
        .values_list("year", flat=True)
        .first()
    )


def current_target(alliance) -> AllianceTarget | None:
    """The alliance's next climate target (the last one once all are past)."""
    targets = list(alliance.targets.order_by("target_year"))
    this_year = timezone.localdate().year
    upcoming = [t for t in targets if t.target_year >= this_year]
    return (upcoming or targets or [None])[0]


# --- Pledges ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PledgeCounts:
    quantitative: int
    on_track: int
    behind: int
    milestones: int
    milestones_done: int

    @property
    def not_reported(self) -> int:
        return self.quantitative - self.on_track - self.behind


ANSWERED = Q(value__isnull=False) | ~Q(milestone="")


def latest_statuses(pledges, *, statuses=None):
    """For each of `pledges`, the latest answer (a value, or a milestone's state) given in an
    approved report; pledges never answered have none. Semi- and anti-joins again.
    `statuses`: the PledgeStatus manager to use (a migration's own)."""
    statuses = PledgeStatus.objects if statuses is None else statuses
    approved = Q(report__status=Report.Status.APPROVED)
    later = statuses.filter(
        approved,
        ANSWERED,
        pledge=OuterRef("pledge"),
        report__round__year__gt=OuterRef("report__round__year"),
    )
    return statuses.filter(approved, ANSWERED, pledge__in=pledges).filter(~Exists(later))


def with_on_track(statuses):
    """`statuses` annotated with `on_track`: the rule of `emissions.progress.pledge_progress`
    in SQL (None for milestones and incomplete pledges). The straight line is multiplied out
    (value × span against baseline × span + change × elapsed years) so nothing is divided
    and nothing rounds."""
    span = ExpressionWrapper(
        F("pledge__target_year") - F("pledge__baseline_year"), output_field=IntegerField()
    )
    rows = statuses.annotate(span=span).annotate(
        elapsed=Least(
            Greatest(F("report__round__year") - F("pledge__baseline_year"), Value(0)), F("span")
        )
    )
    rows = rows.annotate(
        value_x_span=ExpressionWrapper(F("value") * F("span"), output_field=TONNES),
        expected_x_span=ExpressionWrapper(
            F("pledge__baseline_value") * F("span")
            + (F("pledge__target_value") - F("pledge__baseline_value")) * F("elapsed"),
            output_field=TONNES,
        ),
    )
    reducing = Q(pledge__target_value__lte=F("pledge__baseline_value"))
    sloped = Q(span__gt=0)
    return rows.annotate(
        on_track=Case(
            When(
                Q(value__isnull=True)
                | Q(pledge__baseline_value__isnull=True)
                | Q(pledge__target_value__isnull=True)
                | Q(pledge__baseline_year__isnull=True)
                | Q(pledge__target_year__isnull=True),
                then=Value(None),
            ),
            When(sloped & reducing, then=Q(value_x_span__lte=F("expected_x_span"))),
            When(sloped & ~reducing, then=Q(value_x_span__gte=F("expected_x_span"))),
            When(reducing, then=Q(value__lte=F("pledge__target_value"))),
            default=Q(value__gte=F("pledge__target_value")),
            output_field=BooleanField(null=True),
        )
    )


def alliance_pledges(alliance):
    return Pledge.objects.filter(
        agreement__alliance=alliance,
        agreement__status=Agreement.Status.ACTIVE,
        agreement__company__in=members(alliance),
    )


def pledge_counts(alliance) -> PledgeCounts:
    """How many of the members' pledges are on track, behind, or milestones done: one
    grouped query over the pledges and the standing approval keeps for each
    (`PledgeStanding`), a handful of rows whatever the number of pledges."""
    groups = (
        alliance_pledges(alliance)
        .values("is_milestone", "standing__on_track", "standing__milestone")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(("quantitative", "on_track", "behind", "milestones", "done"), 0)
    for group in groups:
        if group["is_milestone"]:
            counts["milestones"] += group["n"]
            counts["done"] += group["n"] if group["standing__milestone"] == "done" else 0
            continue
        counts["quantitative"] += group["n"]
        if group["standing__on_track"] is True:
            counts["on_track"] += group["n"]
        elif group["standing__on_track"] is False:
            counts["behind"] += group["n"]
    return PledgeCounts(
        quantitative=counts["quantitative"],
        on_track=counts["on_track"],
        behind=counts["behind"],
        milestones=counts["milestones"],
        milestones_done=counts["done"],
    )


# --- Exports ---------------------------------------------------------------------------------


def export_rows(alliance):
    """One row per active member and inventory year, with the status of that year's report
    in the alliance's round (None when the alliance had no round that year); for
    `.iterator()`."""
    report = Report.objects.filter(
        company=OuterRef("company"), round__alliance=alliance, round__year=OuterRef("year")
    )
    return (
        Inventory.objects.filter(company__in=members(alliance))
        .annotate(report_status=Subquery(report.values("status")[:1]))
        .select_related("company")
        .order_by("company__legal_name", "company_id", "year")
    )
