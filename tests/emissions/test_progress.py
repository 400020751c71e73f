"""Progress against pledges: the straight line from baseline to target, and "on track"."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from emissions import progress, reporting
from emissions.models import Report
from partnerships.models import Pledge
from tests.factories import AgreementFactory, PledgeFactory


def pledge(**fields):
    """An unsaved pledge: baseline 1,000 in 2021, target 500 in 2030 unless told."""
    values = {
        "baseline_year": 2021,
        "baseline_value": Decimal("1000"),
        "target_year": 2030,
        "target_value": Decimal("500"),
        "metric": "t CO2e",
    }
    return Pledge(**{**values, **fields})


def test_the_line_runs_straight_from_baseline_to_target():
    halve = pledge()
    assert progress.expected_value(halve, 2021) == Decimal("1000")
    assert progress.expected_value(halve, 2030) == Decimal("500")
    assert progress.expected_value(halve, 2024).quantize(Decimal("0.01")) == Decimal("833.33")
    # Before the baseline the line stays at the baseline, after the target at the target.
    assert progress.expected_value(halve, 2019) == Decimal("1000")
    assert progress.expected_value(halve, 2035) == Decimal("500")
    assert progress.target_path(halve, [2021, 2030]) == [(2021, 1000), (2030, 500)]


def test_milestones_and_incomplete_pledges_have_no_line():
    assert progress.expected_value(pledge(is_milestone=True), 2024) is None
    assert progress.expected_value(pledge(baseline_value=None), 2024) is None
    result = progress.pledge_progress(pledge(is_milestone=True), 2024, Decimal("1"))
    assert result.state == progress.NO_DATA


@pytest.mark.parametrize(
    ("value", "state"),
    [
        ("800", progress.ON_TRACK),  # below the line (833.33 in 2024)
        ("833.33", progress.ON_TRACK),
        ("850", progress.BEHIND),
    ],
)
def test_a_reduction_is_on_track_at_or_below_the_line(value, state):
    result = progress.pledge_progress(pledge(), 2024, Decimal(value))
    assert result.state == state
    assert result.expected.quantize(Decimal("0.01")) == Decimal("833.33")


def test_a_pledge_to_grow_something_is_on_track_at_or_above_the_line():
    grow = pledge(baseline_value=Decimal("10"), target_value=Decimal("100"), metric="% elbiler")
    # Expected in 2024: 10 + 90 × 3/9 = 40.
    assert progress.pledge_progress(grow, 2024, Decimal("45")).state == progress.ON_TRACK
    assert progress.pledge_progress(grow, 2024, Decimal("30")).state == progress.BEHIND


def test_without_a_reported_value_there_is_nothing_to_judge():
    result = progress.pledge_progress(pledge(), None, None)
    assert result.state == progress.NO_DATA
    with translation.override("en"):
        assert str(result.label) == "not reported yet"
    assert str(progress.pledge_progress(pledge(), 2024, Decimal(1)).label) == "på sporet"


@pytest.mark.django_db
def test_the_company_page_judges_the_latest_approved_value(alliance, company_a, staff_x):
    """Only approved reports count; the newest approved year wins."""
    agreement = AgreementFactory(alliance=alliance, company=company_a)
    halve = PledgeFactory(agreement=agreement)
    unreported = PledgeFactory(agreement=agreement)
    today = timezone.localdate()
    for year, value, status in [
        (2022, "990", Report.Status.APPROVED),
        (2023, "700", Report.Status.APPROVED),
        (2024, "999", Report.Status.SUBMITTED),  # not approved: does not count
    ]:
        reporting_round = reporting.round_open(
            alliance=alliance, year=year, deadline=today + datetime.timedelta(days=30), by=staff_x
        )
        report = reporting_round.reports.get()
        report.pledge_statuses.filter(pledge=halve).update(value=Decimal(value))
        Report.objects.filter(pk=report.pk).update(status=status)

    rows = progress.latest_progress([halve, unreported])
    assert rows[0].progress.year == 2023
    assert rows[0].progress.value == Decimal("700")
    assert rows[0].progress.state == progress.ON_TRACK  # line in 2023: 888.89
    assert rows[1].progress.state == progress.NO_DATA
