"""The staff's emissions dashboard and the DK2020 exports: the alliance's totals summed in
the database, in a constant number of queries, and the figures read back from the files."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from emissions import progress, selectors
from emissions.models import Inventory
from tests.factories import (
    AgreementFactory,
    AllianceTargetFactory,
    CompanyFactory,
    MembershipFactory,
    PledgeFactory,
)

from .test_documents import approved_report, inventory

pytestmark = pytest.mark.django_db

D = Decimal
DASHBOARD = "/aalborg/staff/emissions/"


def member(alliance, name, **fields):
    return MembershipFactory(
        alliance=alliance, company=CompanyFactory(legal_name=name, **fields)
    ).company


@pytest.fixture
def three_members(alliance, company_a, company_b):
    """Alfa: 1.000 t → 800 t approved (a later draft year does not count). Bravo: a
    baseline, nothing approved. Charlie: approved, no baseline. Beta (company_b) belongs to
    the other alliance and never counts here."""
    inventory(company_a, 2021, "900", "100", baseline=True)
    inventory(company_a, 2024, "700", "100")
    approved_report(alliance, company_a, 2024)
    inventory(company_a, 2025, "1", "1")  # entered, not approved
    bravo = member(alliance, "Bravo ApS")
    inventory(bravo, 2022, "400", "100", baseline=True)
    charlie = member(alliance, "Charlie I/S", industry="A")
    inventory(charlie, 2024, "250", "50")
    approved_report(alliance, charlie, 2024)
    inventory(company_b, 2021, "5000", "0", baseline=True)
    return company_a, bravo, charlie


def test_the_headline_compares_like_with_like(alliance, three_members):
    headline = selectors.headline(alliance)
    assert (headline.members, headline.reporting, headline.with_baseline) == (3, 2, 2)
    assert headline.baseline_t == D("1500")
    # Only Alfa has both a baseline and approved figures: 1,000 → 800 t.
    assert headline.comparable == 1
    assert (headline.comparable_baseline_t, headline.comparable_latest_t) == (D(1000), D(800))
    assert headline.reduction_t == D(200) and headline.reduction_percent == D(20)


def test_year_totals_sum_only_approved_figures(alliance, three_members):
    [row] = selectors.year_totals(alliance)
    assert (row.year, row.companies, row.total_location_t) == (2024, 2, D("1100"))


def test_a_member_that_left_no_longer_counts(alliance, three_members):
    company_a = three_members[0]
    company_a.memberships.update(status="ended")
    headline = selectors.headline(alliance)
    assert headline.members == 2 and headline.baseline_t == D("500")


# --- Pledges on track: the database agrees with emissions.progress ------------------------------

# (baseline, target, reported year, value); the line runs from 2021 to 2030.
CASES = [
    ("1200", "600", 2024, "950"),  # expected 1,000: on track
    ("1200", "600", 2024, "1000"),  # exactly on the line: on track
    ("1200", "600", 2024, "1000.01"),  # behind
    ("1200", "600", 2019, "1200"),  # before the baseline year the line stays at the baseline
    ("1200", "600", 2033, "650"),  # after the target year the line stays at the target
    ("10", "100", 2024, "40"),  # a pledge to grow: 40 expected
    ("10", "100", 2024, "39.99"),  # behind
    ("1000", "1000", 2024, "1000"),  # a pledge to hold the level
]


def test_pledges_on_track_are_counted_as_the_progress_rule_says(alliance):
    expected = {progress.ON_TRACK: 0, progress.BEHIND: 0}
    for n, (baseline, target, year, value) in enumerate(CASES):
        company = member(alliance, f"Case {n} ApS")
        pledge = PledgeFactory(
            agreement=AgreementFactory(alliance=alliance, company=company),
            baseline_value=D(baseline),
            target_value=D(target),
        )
        approved_report(alliance, company, year, values=[(pledge, value)])
        expected[progress.pledge_progress(pledge, year, D(value)).state] += 1
    quiet = member(alliance, "Quiet ApS")
    agreement = AgreementFactory(alliance=alliance, company=quiet)
    PledgeFactory(agreement=agreement, title="Not reported yet")
    milestone = PledgeFactory(agreement=agreement, is_milestone=True, metric="", title="Sol")
    approved_report(alliance, quiet, 2024, values=[(milestone, "done")])

    counts = selectors.pledge_counts(alliance)
    assert expected == {progress.ON_TRACK: 5, progress.BEHIND: 3}
    assert (counts.on_track, counts.behind) == (5, 3)
    assert (counts.quantitative, counts.not_reported) == (len(CASES) + 1, 1)
    assert (counts.milestones, counts.milestones_done) == (1, 1)


def test_the_latest_approved_value_is_the_one_that_counts(alliance, company_a):
    pledge = PledgeFactory(agreement=AgreementFactory(alliance=alliance, company=company_a))
    approved_report(alliance, company_a, 2022, values=[(pledge, "2000")])  # behind then
    approved_report(alliance, company_a, 2024, values=[(pledge, "700")])  # on track now
    counts = selectors.pledge_counts(alliance)
    assert (counts.on_track, counts.behind) == (1, 0)


# --- The page ---------------------------------------------------------------------------------


def test_the_dashboard_shows_the_alliances_figures_in_danish(client, staff_x, three_members):
    AllianceTargetFactory(alliance=staff_x.staff_roles.get().alliance, reduction_percent=70)
    client.force_login(staff_x)
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 af 3" in html  # members reporting
    assert "1.500 t" in html  # every member's baseline
    assert "20 %" in html  # Alfa's reduction (one formatter: no trailing zeros)
    assert "Bravo ApS" in html and "Charlie I/S" in html and "Beta ApS" not in html
    # The chart and its figures as a table beside it.
    assert 'src="/aalborg/staff/emissions/chart.svg"' in html
    assert "<details" in html and "1.100" in html


def test_the_member_table_is_paginated(client, staff_x, alliance):
    for n in range(55):
        member(alliance, f"Virksomhed {n:02d} ApS")
    client.force_login(staff_x)
    first = client.get(DASHBOARD).content.decode()
    second = client.get(DASHBOARD + "?page=2").content.decode()
    assert "Virksomhed 00 ApS" in first and "Virksomhed 54 ApS" not in first
    assert "Virksomhed 54 ApS" in second and "Side 2 af 2" in second


def fill(alliance, count, start=0):
    """`count` members, each with a baseline, two approved years and two pledges."""
    for n in range(start, start + count):
        company = member(alliance, f"Medlem {n:03d} A/S")
        inventory(company, 2021, 100 + n, 10, baseline=True)
        inventory(company, 2023, 90 + n, 10)
        inventory(company, 2024, 80 + n, 10)
        agreement = AgreementFactory(alliance=alliance, company=company)
        pledge = PledgeFactory(agreement=agreement)
        milestone = PledgeFactory(agreement=agreement, is_milestone=True, metric="")
        approved_report(alliance, company, 2023, values=[(pledge, "900")])
        approved_report(alliance, company, 2024, values=[(pledge, "800"), (milestone, "done")])


def dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_queries_for_3_or_30_members(
    client, staff_x, alliance, django_assert_num_queries
):
    client.force_login(staff_x)
    fill(alliance, 3)
    few = dashboard_queries(client)
    fill(alliance, 27, start=3)
    assert Inventory.objects.count() == 90
    with django_assert_num_queries(few):
        assert client.get(DASHBOARD).status_code == 200
    # Pinned: session, user, second factor, staff roles with their alliances (shared with
    # the menu); latest round, the alliance's figures (emissions.figures: the headline,
    # the year totals and the pledges, as the view before stored them), targets, the page
    # of members.
    with django_assert_num_queries(EXPECTED_QUERIES):
        client.get(DASHBOARD)


EXPECTED_QUERIES = 9  # with the task count in the menu


# --- Exports ----------------------------------------------------------------------------------


def test_the_csv_export_streams_the_figures_with_danish_decimal_commas(
    client, staff_x, three_members
):
    client.force_login(staff_x)
    response = client.get(DASHBOARD + "export.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Virksomhed", "CVR-nummer", "Branche", "År"]
    by_key = {(row[0], row[3]): row for row in body}
    assert set(by_key) == {
        ("Alfa A/S", "2021"),
        ("Alfa A/S", "2024"),
        ("Alfa A/S", "2025"),
        ("Bravo ApS", "2022"),
        ("Charlie I/S", "2024"),
    }
    alfa = by_key[("Alfa A/S", "2024")]
    assert alfa[1] == three_members[0].cvr
    assert alfa[5:11] == ["700,000", "100,000", "100,000", "0,000", "800,000", "800,000"]
    assert alfa[-1] == "godkendt"
    assert by_key[("Alfa A/S", "2021")][4] == "ja"
    assert by_key[("Alfa A/S", "2025")][-1] == "ingen indberetningsrunde"


def test_the_xlsx_export_holds_numbers_and_text_cvr(client, staff_x, three_members):
    client.force_login(staff_x)
    with translation.override("en"):
        response = client.get("/en" + DASHBOARD + "export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Company", "CVR number", "Industry", "Year", "Baseline year")
    charlie = next(row for row in rows if row[0] == "Charlie I/S")
    assert charlie[1] == three_members[2].cvr and isinstance(charlie[1], str)
    assert charlie[2].startswith("A ")
    assert charlie[3] == 2024
    assert charlie[9] == 300.0  # total, location-based, as a number
    assert charlie[-1] == "approved"
    assert len(rows) == 6


def test_exports_belong_to_the_alliances_staff(client, staff_y, rep_a, three_members):
    for user in (staff_y, rep_a):
        client.force_login(user)
        assert client.get(DASHBOARD + "export.csv").status_code == 403
