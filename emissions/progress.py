"""Progress against pledges: the straight line from baseline to target, and where a
company stands on it. Pure functions of numbers, shared by pages, PDFs and charts."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

ON_TRACK = "on_track"
BEHIND = "behind"
NO_DATA = "no_data"

LABELS = {ON_TRACK: _("on track"), BEHIND: _("behind"), NO_DATA: _("not reported yet")}


def expected_value(pledge, year) -> Decimal | None:
    """The value the straight line from baseline to target passes through in `year`."""
    if pledge.is_milestone or None in (
        pledge.baseline_year,
        pledge.baseline_value,
        pledge.target_year,
        pledge.target_value,
    ):
        return None
    span = pledge.target_year - pledge.baseline_year
    if span <= 0:
        return pledge.target_value
    share = Decimal(min(max(year - pledge.baseline_year, 0), span)) / Decimal(span)
    return pledge.baseline_value + (pledge.target_value - pledge.baseline_value) * share


@dataclass(frozen=True)
class Progress:
    pledge: object
    year: int | None
    value: Decimal | None
    expected: Decimal | None
    state: str

    @property
    def label(self):
        return LABELS[self.state]


def pledge_progress(pledge, year=None, value=None) -> Progress:
    """`value` reported for `year`, judged against the line: at or better than it is on track.

    "Better" follows the direction of the pledge: down for a reduction, up for a pledge to
    grow something (e.g. share of electric cars).
    """
    if value is None or year is None:
        return Progress(pledge, year, value, None, NO_DATA)
    expected = expected_value(pledge, year)
    if expected is None:
        return Progress(pledge, year, value, None, NO_DATA)
    reducing = pledge.target_value <= pledge.baseline_value
    on_track = value <= expected if reducing else value >= expected
    return Progress(pledge, year, value, expected, ON_TRACK if on_track else BEHIND)


def target_path(pledge, years):
    """(year, expected value) for each of `years`, for the chart's target line."""
    return [(year, expected_value(pledge, year)) for year in years]


@dataclass(frozen=True)
class PledgeRow:
    """One pledge with its latest reported state, for the tables on the company's pages."""

    pledge: object
    progress: Progress
    status: object | None  # the latest reported PledgeStatus (for a milestone's state)


def latest_progress(pledges) -> list[PledgeRow]:
    """Each of `pledges` judged on its latest value in an approved report (two queries).

    Only approved reports count, as on the alliance's pages: a draft can be half entered.
    """
    from .models import PledgeStatus, Report

    pledges = list(pledges)
    latest = {}
    statuses = (
        PledgeStatus.objects.filter(pledge__in=pledges, report__status=Report.Status.APPROVED)
        .select_related("report__round")
        .order_by("pledge", "-report__round__year")
    )
    for status in statuses:
        latest.setdefault(status.pledge_id, status)
    rows = []
    for pledge in pledges:
        status = latest.get(pledge.pk)
        year = status.report.round.year if status else None
        value = status.value if status else None
        rows.append(PledgeRow(pledge, pledge_progress(pledge, year, value), status))
    return rows


def company_progress(company) -> list[PledgeRow]:
    """Every pledge of the company's active agreements, judged (two queries)."""
    from partnerships.models import Agreement, Pledge

    pledges = Pledge.objects.filter(
        agreement__company=company, agreement__status=Agreement.Status.ACTIVE
    ).order_by("agreement", "order", "pk")
    return latest_progress(pledges)
