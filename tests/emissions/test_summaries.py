"""What approval keeps on rows (emissions.summaries): staff see the dashboard's figures move
when a report is approved or a baseline changes, not when a report is sent back; and the
rows say what summing every member's years says."""

from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from emissions import reporting, selectors, services, summaries
from emissions.models import (
    ApprovedYearTotal,
    Category,
    InventoryLine,
    LatestApproved,
    PledgeStanding,
    PledgeStatus,
    Report,
    ReportingRound,
)
from tests.factories import AgreementFactory, PledgeFactory

from .test_dashboard import DASHBOARD, member
from .test_documents import approved_report, inventory, round_of

pytestmark = pytest.mark.django_db

D = Decimal
FAR_FUTURE = 9999  # a past-year read (the annual report's) that sees every approved year


def latest_approved_card(client):
    """The dashboard's "Latest approved total" figure, as staff read it."""
    html = client.get(DASHBOARD).content.decode()
    card = html.split("Seneste godkendte i alt", 1)[1]
    return card.split('<p class="key-figure mb-0">', 1)[1].split("</p>", 1)[0]


def baseline_card(client):
    html = client.get(DASHBOARD).content.decode()
    card = html.split("Basislinje, alle medlemmer", 1)[1]
    return card.split('<p class="key-figure mb-0">', 1)[1].split("</p>", 1)[0]


@pytest.fixture
def alfa(company_a, alliance):
    """A baseline of 1,000 t (2021), 900 t approved for 2023, a pledge answered then, and
    the 2024 report submitted with 700 t."""
    inventory(company_a, 2021, "900", "100", baseline=True)
    inventory(company_a, 2023, "800", "100")
    inventory(company_a, 2024, "650", "50")
    pledge = PledgeFactory(
        agreement=AgreementFactory(alliance=alliance, company=company_a),
        baseline_year=2021,
        baseline_value=D("1000"),
        target_year=2030,
        target_value=D("100"),
    )
    approved_report(alliance, company_a, 2023, values=[(pledge, "950")])  # behind
    report = Report.objects.create(
        round=round_of(alliance, 2024), company=company_a, status=Report.Status.SUBMITTED
    )
    PledgeStatus.objects.create(report=report, pledge=pledge, value=D("700"))  # on track
    return report


def test_approval_moves_the_dashboards_figures(client, staff_x, alliance, alfa):
    client.force_login(staff_x)
    assert latest_approved_card(client) == "900 t"
    assert selectors.pledge_counts(alliance).behind == 1

    reporting.report_approve(report=alfa, by=staff_x)

    assert latest_approved_card(client) == "700 t"
    row = LatestApproved.objects.get(alliance=alliance, company=alfa.company)
    assert (row.year, row.total_location_t) == (2024, D("700"))
    assert [(y.year, y.total_location_t) for y in selectors.year_totals(alliance)] == [
        (2023, D("900")),
        (2024, D("700")),
    ]
    counts = selectors.pledge_counts(alliance)
    assert (counts.on_track, counts.behind) == (1, 0)


def test_sending_a_report_back_changes_no_figure(client, staff_x, alliance, alfa):
    ReportingRound.objects.filter(pk=alfa.round_id).update(status="open")
    client.force_login(staff_x)

    reporting.report_return(report=alfa, by=staff_x, comment="Tjek el-forbruget.")

    assert latest_approved_card(client) == "900 t"
    assert LatestApproved.objects.get(alliance=alliance).year == 2023
    assert [y.year for y in selectors.year_totals(alliance)] == [2023]
    assert PledgeStanding.objects.get().year == 2023


def test_a_new_baseline_shows_at_once(client, staff_x, alliance, alfa):
    client.force_login(staff_x)
    assert baseline_card(client) == "1.000 t"
    company = alfa.company
    old = company.inventories.get(year=2021)
    services.inventory_unset_baseline(inventory=old)
    assert baseline_card(client) == "0 t"

    new = services.inventory_create(company=company, year=2019, is_baseline=True)
    line = InventoryLine(
        inventory=new,
        category=Category.STATIONARY,
        description="Naturgas",
        method=InventoryLine.Method.DIRECT,
        tonnes_direct=D("1200"),
        method_note="Årsopgørelse",
    )
    services.line_save(line=line)

    assert baseline_card(client) == "1.200 t"
    headline = selectors.headline(alliance)
    assert (headline.first_baseline_year, headline.comparable_baseline_t) == (2019, D("1200"))


def test_the_rows_say_what_summing_the_years_says(alliance, other_alliance, company_a):
    """Members, a member who left, a paused one, one without consent, and a company that
    reports to both alliances: the current figures equal those summed from every year."""
    companies = [company_a] + [member(alliance, f"Medlem {n} A/S") for n in range(4)]
    for n, company in enumerate(companies):
        inventory(company, 2020, 500 + n, 10, baseline=n != 1)
        for year in (2022, 2023, 2024):
            inventory(company, year, 400 + n * 7 - year % 10, 5 + n)
            if not (n == 2 and year == 2024):
                approved_report(alliance, company, year)
    both = companies[3]  # also reports to Aarhus: its approvals there never count here
    both.memberships.create(alliance=other_alliance, status="active")
    inventory(both, 2021, "9000", "0")
    approved_report(other_alliance, both, 2021)
    approved_report(other_alliance, both, 2024)
    companies[4].memberships.filter(alliance=alliance).update(status="left")
    companies[2].memberships.filter(alliance=alliance).update(status="paused")
    companies[1].memberships.filter(alliance=alliance).update(access_granted_at=None)

    summed = {
        row["year"]: (row["n"], row["tl"], row["tm"])
        for row in selectors.approved_inventories(alliance)
        .values("year")
        .annotate(n=Count("pk"), tl=Sum("total_location_t"), tm=Sum("total_market_t"))
        .order_by()
    }
    kept = {
        y.year: (y.companies, y.total_location_t, y.total_market_t)
        for y in selectors.year_totals(alliance)
    }
    assert kept == summed and set(kept) == {2022, 2023, 2024}
    assert selectors.headline(alliance) == selectors.headline(alliance, until_year=FAR_FUTURE)
    now = selectors.company_rows(alliance).values_list(
        "pk", "baseline_year", "baseline_t", "latest_year", "latest_t"
    )
    summed_rows = selectors.company_rows(alliance, until_year=FAR_FUTURE).values_list(
        "pk", "baseline_year", "baseline_t", "latest_year", "latest_t"
    )
    assert list(now) == list(summed_rows) and len(now) == 2


def test_a_rebuild_gives_the_rows_approval_kept(alliance, company_a):
    inventory(company_a, 2021, "900", "100", baseline=True)
    pledge = PledgeFactory(agreement=AgreementFactory(alliance=alliance, company=company_a))
    for year, value in ((2022, "1100"), (2023, "800")):
        inventory(company_a, year, value, "0")
        approved_report(alliance, company_a, year, values=[(pledge, value)])

    def rows():
        return (
            list(
                LatestApproved.objects.values_list(
                    "alliance", "company", "year", "total_location_t"
                )
            ),
            list(
                ApprovedYearTotal.objects.order_by("year").values_list(
                    "year", "companies", "total_location_t"
                )
            ),
            list(PledgeStanding.objects.values_list("pledge", "year", "value", "on_track")),
        )

    kept = rows()
    LatestApproved.objects.all().delete()
    ApprovedYearTotal.objects.all().delete()
    PledgeStanding.objects.all().delete()
    summaries.rebuild()
    assert rows() == kept
    assert kept[0] == [(alliance.pk, company_a.pk, 2023, D("800"))]
    assert kept[2][0][1:] == (2023, D("800"), True)
