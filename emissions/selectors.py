"""Reads of an alliance's emissions shared by the staff dashboard, its charts, the annual
report PDF and the exports.

Everything is summed in the database from the totals each inventory stores (see
`Inventory.recalculate`), so a page costs the same handful of queries for 3 members or
5,000. "Approved" figures are those of a year whose report in one of the alliance's rounds
staff approved; only they count towards the alliance's totals, because a draft can be half
entered.
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
    IntegerField,
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

from .models import Inventory, PledgeStatus, Report, ReportingRound

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


def company_rows(alliance, *, latest_round_id=None, until_year=None):
    """Active members, each annotated (in one query) with its baseline year and total, its
    latest approved year and total (up to `until_year`), and its report status in the
    round `latest_round_id`. Meant for a page of members, or for all of them in a PDF."""
    baseline, latest = _baseline_and_latest(alliance, until_year)
    rows = members(alliance).annotate(
        baseline_year=Subquery(baseline.values("year")[:1]),
        baseline_t=Subquery(baseline.values("total_location_t")[:1], output_field=TONNES),
        latest_year=Subquery(latest.values("year")[:1]),
        latest_t=Subquery(latest.values("total_location_t")[:1], output_field=TONNES),
    )
    if latest_round_id:
        report = Report.objects.filter(company=OuterRef("pk"), round_id=latest_round_id)
        rows = rows.annotate(report_status=Subquery(report.values("status")[:1]))
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

    Each member's two totals are looked up once in an inner query; `distinct()` keeps
    PostgreSQL from folding that query into the outer one, which would repeat both lookups
    for every aggregate that mentions them.
    """
    baseline, latest = _baseline_and_latest(alliance, until_year)
    both = Q(baseline_t__isnull=False, latest_t__isnull=False)
    totals = (
        members(alliance)
        .annotate(
            baseline_t=Subquery(baseline.values("total_location_t")[:1], output_field=TONNES),
            latest_t=Subquery(latest.values("total_location_t")[:1], output_field=TONNES),
        )
        .order_by()
        .values("pk", "baseline_t", "latest_t")
        .distinct()
        .aggregate(
            n_members=Count("pk"),
            n_reporting=Count("latest_t"),
            n_baseline=Count("baseline_t"),
            n_both=Count("pk", filter=both),
            baseline_sum=Sum("baseline_t"),
            both_baseline=Sum("baseline_t", filter=both),
            both_latest=Sum("latest_t", filter=both),
        )
    )
    return Headline(
        members=totals["n_members"],
        reporting=totals["n_reporting"],
        with_baseline=totals["n_baseline"],
        baseline_t=totals["baseline_sum"] or ZERO,
        comparable=totals["n_both"],
        comparable_baseline_t=totals["both_baseline"] or ZERO,
        comparable_latest_t=totals["both_latest"] or ZERO,
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


def year_totals(alliance) -> list[YearTotal]:
    """The approved figures of the alliance's members summed per year (one query)."""
    rows = (
        approved_inventories(alliance)
        .values("year")
        .annotate(
            companies=Count("pk"),
            s1=Sum("scope1_t"),
            s2l=Sum("scope2_location_t"),
            s2m=Sum("scope2_market_t"),
            s3=Sum("scope3_t"),
            tl=Sum("total_location_t"),
            tm=Sum("total_market_t"),
        )
        .order_by("year")
    )
    return [
        YearTotal(
            row["year"],
            row["companies"],
            row["s1"] or ZERO,
            row["s2l"] or ZERO,
            row["s2m"] or ZERO,
            row["s3"] or ZERO,
            row["tl"] or ZERO,
            row["tm"] or ZERO,
        )
        for row in rows
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


def latest_statuses(pledges):
    """For each of `pledges`, the latest answer (a value, or a milestone's state) given in an
    approved report; pledges never answered have none. Semi- and anti-joins again."""
    approved = Q(report__status=Report.Status.APPROVED)
    later = PledgeStatus.objects.filter(
        approved,
        ANSWERED,
        pledge=OuterRef("pledge"),
        report__round__year__gt=OuterRef("report__round__year"),
    )
    return PledgeStatus.objects.filter(approved, ANSWERED, pledge__in=pledges).filter(
        ~Exists(later)
    )


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
    """How many of the members' pledges are on track, behind, or milestones done: two grouped
    queries of a handful of rows, whatever the number of pledges."""
    pledges = alliance_pledges(alliance)
    totals = dict(
        pledges.values("is_milestone")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("is_milestone", "n")
    )
    groups = (
        with_on_track(latest_statuses(pledges))
        .values("pledge__is_milestone", "on_track", "milestone")
        .annotate(n=Count("pk"))
        .order_by()
    )
    on_track = behind = done = 0
    for group in groups:
        if group["pledge__is_milestone"]:
            done += group["n"] if group["milestone"] == "done" else 0
        elif group["on_track"] is True:
            on_track += group["n"]
        elif group["on_track"] is False:
            behind += group["n"]
    return PledgeCounts(
        quantitative=totals.get(False, 0),
        on_track=on_track,
        behind=behind,
        milestones=totals.get(True, 0),
        milestones_done=done,
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
