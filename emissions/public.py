"""What the alliances achieve, in public: the one read behind the progress chart and table of
an alliance's page and of the national overview, the open data API and its CSV file.

Counted are only the companies that publish their figures (`Company.publishes_figures`), and
of them only the years whose report staff approved in one of the alliance's reporting rounds
(a draft can be half entered). A company's baseline is its climate account's baseline year;
the reduction compares like with like: the baselines and latest approved totals of the
companies that have both. Tonnes are location-based, scopes 1-3, as on the partner pages.

The national figures count each company and year once, however many alliances it reports to.
Four queries for any number of alliances.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F

from partnerships.models import Agreement, Pledge

from .models import Inventory, Report
from .selectors import latest_statuses, with_on_track

ZERO = Decimal(0)


@dataclass(frozen=True)
class YearFigure:
    year: int
    companies: int  # companies whose approved figures for the year are counted
    total_location_t: Decimal


@dataclass(frozen=True)
class CoveredCompany:
    cvr: str
    name: str
    years: tuple[int, ...]  # its approved years counted here
    baseline_year: int | None


@dataclass
class PledgeTally:
    quantitative: int = 0
    on_track: int = 0
    behind: int = 0
    milestones: int = 0
    milestones_done: int = 0

    @property
    def not_reported(self) -> int:
        return self.quantitative - self.on_track - self.behind

    def add(self, other: "PledgeTally"):
        self.quantitative += other.quantitative
        self.on_track += other.on_track
        self.behind += other.behind
        self.milestones += other.milestones
        self.milestones_done += other.milestones_done


@dataclass
class Progress:
    """The public progress of one alliance (`alliance` set) or of the country (None)."""

    alliance: object | None
    years: list[YearFigure] = field(default_factory=list)
    companies: list[CoveredCompany] = field(default_factory=list)
    baseline_year: int | None = None  # the earliest baseline year of the covered companies
    baseline_t: Decimal = ZERO  # every covered company's baseline, summed
    comparable: int = 0  # companies with a baseline and an approved year
    comparable_baseline_t: Decimal = ZERO
    comparable_latest_t: Decimal = ZERO
    pledges: PledgeTally = field(default_factory=PledgeTally)

    @property
    def slug(self) -> str:
        return self.alliance.slug if self.alliance is not None else ""

    @property
    def partners_reporting(self) -> int:
        return len(self.companies)

    @property
    def reduction_t(self) -> Decimal:
        return self.comparable_baseline_t - self.comparable_latest_t

    @property
    def reduction_percent(self) -> Decimal | None:
        if not self.comparable_baseline_t:
            return None
        return (self.reduction_t / self.comparable_baseline_t * 100).quantize(Decimal("0.1"))

    @property
    def first_year(self) -> int | None:
        return self.years[0].year if self.years else None

    @property
    def last_year(self) -> int | None:
        return self.years[-1].year if self.years else None


def _approved_rows(alliances):
    """(alliance id, company id, cvr, name, year, tonnes) of every approved, published year."""
    return (
        Inventory.objects.filter(
            company__publishes_figures=True,
            company__reports__status=Report.Status.APPROVED,
            company__reports__round__alliance__in=alliances,
            company__reports__round__year=F("year"),
        )
        .values_list(
            "company__reports__round__alliance_id",
            "company_id",
            "company__cvr",
            "company__display_name",
            "company__legal_name",
            "year",
            "total_location_t",
        )
        .distinct()
        .order_by()
    )


def _fill(progress: Progress, rows, baselines):
    """Sum `rows` ({company id: {year: (cvr, name, tonnes)}}) into `progress`."""
    per_year = defaultdict(lambda: [0, ZERO])
    for years in rows.values():
        for year, (_cvr, _name, tonnes) in years.items():
            per_year[year][0] += 1
            per_year[year][1] += tonnes
    progress.years = [YearFigure(y, n, t) for y, (n, t) in sorted(per_year.items())]
    covered = []
    for company_id, years in rows.items():
        cvr, name, _tonnes = next(iter(years.values()))
        baseline = baselines.get(company_id)
        covered.append(CoveredCompany(cvr, name, tuple(sorted(years)), baseline and baseline[0]))
        if baseline is None:
            continue
        progress.baseline_t += baseline[1]
        latest = years[max(years)][2]
        progress.comparable += 1
        progress.comparable_baseline_t += baseline[1]
        progress.comparable_latest_t += latest
    progress.companies = sorted(covered, key=lambda c: (c.name.lower(), c.cvr))
    baseline_years = [baselines[c][0] for c in rows if c in baselines]
    progress.baseline_year = min(baseline_years, default=None)


def _pledge_tallies(alliances) -> dict[int, PledgeTally]:
    """Public pledges of active agreements of companies that publish their figures, judged
    on their latest answer in an approved report (emissions.selectors.with_on_track)."""
    pledges = Pledge.objects.filter(
        is_public=True,
        agreement__status=Agreement.Status.ACTIVE,
        agreement__alliance__in=alliances,
        agreement__company__publishes_figures=True,
    )
    tallies = defaultdict(PledgeTally)
    counts = (
        pledges.values_list("agreement__alliance_id", "is_milestone")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for alliance_id, is_milestone, n in counts:
        if is_milestone:
            tallies[alliance_id].milestones += n
        else:
            tallies[alliance_id].quantitative += n
    groups = (
        with_on_track(latest_statuses(pledges))
        .values_list(
            "pledge__agreement__alliance_id", "pledge__is_milestone", "on_track", "milestone"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    for alliance_id, is_milestone, on_track, milestone, n in groups:
        tally = tallies[alliance_id]
        if is_milestone:
            tally.milestones_done += n if milestone == "done" else 0
        elif on_track is True:
            tally.on_track += n
        elif on_track is False:
            tally.behind += n
    return tallies


def public_progress(alliances) -> tuple[list[Progress], Progress]:
    """The progress of each of `alliances` (in their order) and of all of them together."""
    alliances = list(alliances)
    by_alliance = defaultdict(lambda: defaultdict(dict))
    national = defaultdict(dict)
    for alliance_id, company_id, cvr, display, legal, year, tonnes in _approved_rows(alliances):
        entry = (cvr, display or legal, tonnes)
        by_alliance[alliance_id][company_id][year] = entry
        national[company_id][year] = entry
    baselines = {}
    if national:
        baselines = {
            company_id: (year, tonnes)
            for company_id, year, tonnes in Inventory.objects.filter(
                company_id__in=list(national), is_baseline=True
            ).values_list("company_id", "year", "total_location_t")
        }
    tallies = _pledge_tallies(alliances) if alliances else {}
    results = []
    for alliance in alliances:
        progress = Progress(alliance, pledges=tallies.get(alliance.pk, PledgeTally()))
        _fill(progress, by_alliance.get(alliance.pk, {}), baselines)
        results.append(progress)
    total = Progress(None)
    _fill(total, national, baselines)
    for progress in results:
        total.pledges.add(progress.pledges)
    return results, total


def alliance_progress(alliance) -> Progress:
    return public_progress([alliance])[0][0]
