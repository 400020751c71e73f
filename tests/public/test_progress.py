"""Public progress (issue 17, point 1): what the alliances achieve, from approved reports of
partners that publish their figures; equal on the alliance page, the national overview, the
API and the CSV file, since all read emissions.public."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.utils import translation

from emissions.public import alliance_progress, public_progress
from klimaalliance.numbers import format_number
from tests.emissions.test_documents import approved_report, inventory
from tests.factories import AgreementFactory, AllianceTargetFactory, PledgeFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def figures(alliance, other_alliance, company_a, company_b):
    """Alfa (Aalborg, publishes): baseline 2021 1.000 t, approved 2024 800 t, 2025 entered
    but not approved; one pledge on track, one behind. Beta (Aarhus, publishes): baseline
    2022 500 t, approved 2024 450 t. A third Aalborg member with approved figures does not
    publish them and is never counted."""
    from companies.models import Company
    from tests.factories import CompanyFactory, MembershipFactory

    AllianceTargetFactory(alliance=alliance)
    Company.objects.filter(pk__in=[company_a.pk, company_b.pk]).update(publishes_figures=True)
    inventory(company_a, 2021, "900", "100", baseline=True)
    inventory(company_a, 2024, "700", "100")
    inventory(company_a, 2025, "1", "1")
    agreement = AgreementFactory(alliance=alliance, company=company_a)
    on_track = PledgeFactory(agreement=agreement)  # 1.000 → 500 t, 2021-2030
    behind = PledgeFactory(agreement=agreement)
    approved_report(alliance, company_a, 2024, values=[(on_track, "700"), (behind, "990")])
    inventory(company_b, 2022, "400", "100", baseline=True)
    inventory(company_b, 2024, "400", "50")
    approved_report(other_alliance, company_b, 2024)
    shy = MembershipFactory(alliance=alliance, company=CompanyFactory(legal_name="Skjult")).company
    inventory(shy, 2024, "5000", "0")
    approved_report(alliance, shy, 2024)
    return company_a, company_b


def test_progress_counts_only_approved_years_of_publishing_partners(alliance, figures):
    progress = alliance_progress(alliance)
    assert [(y.year, y.companies, y.total_location_t) for y in progress.years] == [
        (2024, 1, D("800"))
    ]
    assert progress.partners_reporting == 1
    assert [(c.name, c.years, c.baseline_year) for c in progress.companies] == [
        ("Alfa A/S", (2024,), 2021)
    ]
    assert (progress.comparable_baseline_t, progress.comparable_latest_t) == (D(1000), D(800))
    assert progress.reduction_t == D(200) and progress.reduction_percent == D("20.0")
    tally = progress.pledges
    assert (tally.quantitative, tally.on_track, tally.behind, tally.not_reported) == (2, 1, 1, 0)


def test_the_national_total_counts_every_alliance(alliance, other_alliance, figures):
    per_alliance, national = public_progress([alliance, other_alliance])
    assert [p.partners_reporting for p in per_alliance] == [1, 1]
    assert [(y.year, y.companies, y.total_location_t) for y in national.years] == [
        (2024, 2, D("1250"))
    ]
    assert national.reduction_t == D(250)  # (1.000 + 500) − (800 + 450)
    assert national.pledges.on_track == 1 and national.pledges.behind == 1


def test_progress_costs_four_queries(alliance, other_alliance, figures, django_assert_num_queries):
    with django_assert_num_queries(4):
        public_progress([alliance, other_alliance])


def _page_figure(html, name):
    return re.search(rf'data-figure="{name}">([^<]+)<', html).group(1)


def test_page_api_and_csv_show_the_same_figures(client, alliance, figures):
    page = client.get("/en/aalborg/").content.decode()
    api = client.get("/api/v1/progress/?alliance=aalborg").json()
    [aalborg] = api["alliances"]
    response = client.get("/api/v1/progress.csv?alliance=aalborg")
    text = response.content.decode("utf-8-sig")
    comment, *lines = text.splitlines()
    assert comment.startswith("# Licens: CC BY 4.0")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";"))
    aalborg_row = next(row for row in rows if row["alliance"] == "aalborg")

    # The API and the CSV file: the same strings.
    assert aalborg["reduction_t"] == aalborg_row["reduktion_t"] == "200.000"
    assert aalborg["years"] == [{"year": 2024, "reporting_partners": 1, "emissions_t": "800.000"}]
    assert aalborg_row["år"] == "2024" and aalborg_row["udledning_t"] == "800.000"
    assert aalborg["reduction_percent"] == aalborg_row["reduktion_pct"] == "20.0"
    assert aalborg["pledges"]["on_track"] == int(aalborg_row["tilsagn_på_sporet"]) == 1
    assert aalborg["partners_reporting"] == int(aalborg_row["rapporterende_partnere"]) == 1
    # The page: the same numbers, formatted for reading.
    with translation.override("en"):
        assert _page_figure(page, "reduction-t") == format_number(D(aalborg["reduction_t"]), 1)
    assert _page_figure(page, "partners-reporting") == "1"
    assert _page_figure(page, "pledges-on-track") == "1"
    assert "Alfa A/S" in page and "Skjult" not in page
    assert '<tr data-year="2024"><th scope="row">2024</th><td class="text-end">1</td>' in page
    assert "/aalborg/progress.svg" in page
    # The yearly totals endpoint reads the same selector.
    totals = client.get("/api/v1/totals/?alliance=aalborg").json()
    assert {str(row["year"]): row["emissions_t"] for row in totals if row["emissions_t"]} == {
        "2024": "800.000"
    }


def test_the_national_overview_shows_the_total(client, alliance, other_alliance, figures):
    page = client.get("/en/").content.decode()
    national = client.get("/api/v1/progress/").json()["national"]
    assert national["reduction_t"] == "250.000"
    with translation.override("en"):
        assert format_number(D("250"), 1) in page
    assert "/progress.svg" in page
    assert "Progress of all alliances" in page


def test_the_charts_are_svg_with_a_description(client, alliance, figures):
    response = client.get("/en/aalborg/progress.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert "publish their figures" in svg and "style=" not in svg
    assert "Approved emissions of the partners of Klimaalliancen Aalborg" in svg
    national = client.get("/progress.svg")
    assert national.status_code == 200 and not national.cookies


def test_the_sector_filter_offers_only_sectors_in_use_with_counts(client, alliance):
    from tests.factories import active_partner

    for name, industry in (("Gård", "A"), ("Mejeri", "A"), ("Fabrik", "C")):
        company = active_partner(alliance, legal_name=name, industry=industry)
        AgreementFactory(alliance=alliance, company=company)
    page = client.get("/en/aalborg/partners/").content.decode()
    options = re.findall(r'<option value="([A-U]?)"[^>]*>([^<]*)</option>', page)
    industries = [(code, label) for code, label in options if code]
    assert [code for code, _label in industries] == ["A", "C"]
    assert industries[0][1].endswith("(2)") and industries[1][1].endswith("(1)")
    assert not client.get("/en/aalborg/partners/").cookies


def test_networks_and_inspiration_are_in_the_main_menu(client, alliance):
    page = client.get("/en/").content.decode()
    assert 'href="/en/networks/"' in page and 'href="/en/inspiration/"' in page
