"""The yearly reporting journey in Chromium: the team leader opens a round; the company's
representative enters a baseline and the new year with two lines (one activity × factor,
one in tonnes), fills in the report, previews and submits; the team leader approves; the
company's progress chart and the report PDF appear. axe checks every page visited.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from emissions.models import EmissionFactor, Inventory, Report
from tests.conftest import log_in_through_the_form
from tests.factories import AgreementFactory, PledgeFactory, RepresentationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = timezone.localdate().year - 1


@pytest.fixture
def agreement(alliance, company_a):
    agreement = AgreementFactory(alliance=alliance, company=company_a)
    PledgeFactory(
        agreement=agreement,
        order=1,
        title="Halver udledningen fra scope 1 og 2",
        metric="t CO2e",
        scopes=[1, 2],
        baseline_year=2019,
        baseline_value=Decimal("300"),
        target_year=2030,
        target_value=Decimal("150"),
    )
    PledgeFactory(
        agreement=agreement,
        order=2,
        title="Emissionsfri bilflåde",
        is_milestone=True,
        metric="",
        baseline_year=None,
        baseline_value=None,
        target_year=2030,
        target_value=None,
    )
    return agreement


def test_open_round_report_approve_and_see_chart_and_pdf(
    live_server, page, axe, alliance, company_a, staff_x, agreement, db
):
    representative = RepresentationFactory(company=company_a).user
    electricity = EmissionFactor.objects.create(
        activity="electricity", unit="kWh", year=YEAR, kg_co2e_per_unit="0.100", source="Test"
    )

    def check():
        assert axe() == [], page.url

    # The team leader opens the round for last year.
    log_in_through_the_form(page, live_server, staff_x)
    page.goto(f"{live_server.url}/aalborg/staff/emissions/rounds/new/")
    check()
    page.locator("#id_year").fill(str(YEAR))
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    page.locator("#id_deadline").fill(deadline.isoformat())
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    check()
    report = Report.objects.get(company=company_a, round__year=YEAR)
    expect(page.locator(f"main a[href$='/reports/{report.pk}/']")).to_be_visible()
    page.context.clear_cookies()

    # The representative enters the baseline year with one line in tonnes ...
    log_in_through_the_form(page, live_server, representative)
    my = f"{live_server.url}/my/emissions/companies/{company_a.pk}"
    page.goto(f"{my}/new/")
    check()
    page.locator("#id_year").fill("2019")
    page.locator("#id_is_baseline").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{my}/2019/")
    check()
    page.goto(f"{my}/2019/lines/new/")
    check()
    page.locator("#id_category").select_option("s1_stationary")
    page.locator("#id_description").fill("Naturgas til opvarmning")
    page.locator("input[name=method][value=direct]").check()
    page.locator("#id_tonnes_direct").fill("300,5")
    page.locator("#id_method_note").fill("Gasregninger × Evidas faktor")
    page.locator("#inventory-line-form button[type=submit]").click()
    expect(page).to_have_url(f"{my}/2019/")

    # ... and last year with two lines: electricity in MWh × the library's factor, and gas.
    page.goto(f"{my}/new/")
    page.locator("#id_year").fill(str(YEAR))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{my}/{YEAR}/")
    page.locator("main a[href$='/lines/new/?activity=electricity']").click()
    check()
    page.locator("#id_category").select_option("s2_electricity")
    page.locator("#id_description").fill("El til kontor og lager")
    page.locator("#id_factor").select_option(str(electricity.pk))
    page.locator("#id_quantity").fill("120,5")
    page.locator("#id_unit").select_option("MWh")
    page.locator("#inventory-line-form button[type=submit]").click()
    expect(page).to_have_url(f"{my}/{YEAR}/")
    page.goto(f"{my}/{YEAR}/lines/new/")
    page.locator("#id_category").select_option("s1_stationary")
    page.locator("#id_description").fill("Naturgas til opvarmning")
    page.locator("input[name=method][value=direct]").check()
    page.locator("#id_tonnes_direct").fill("200")
    page.locator("#id_method_note").fill("Gasregninger × Evidas faktor")
    page.locator("#inventory-line-form button[type=submit]").click()
    expect(page).to_have_url(f"{my}/{YEAR}/")
    check()
    inventory = Inventory.objects.get(company=company_a, year=YEAR)
    assert inventory.scope1_t == Decimal("200.000")
    assert inventory.scope2_location_t == Decimal("12.050")  # 120,5 MWh × 0,1 kg/kWh

    # The report: from the banner on the company page, fill in, preview, submit.
    page.goto(f"{live_server.url}/my/companies/{company_a.pk}/")
    page.locator(f"main a[href='/my/emissions/reports/{report.pk}/']").first.click()
    check()
    co2, milestone = report.pledge_statuses.order_by("pledge__order")
    expect(page.locator(f"#id_value_{co2.pk}")).to_have_value("212,05")  # scope 1 + 2
    page.locator(f"#id_milestone_{milestone.pk}").select_option("in_progress")
    page.locator("#id_narrative").fill("Vi har skiftet til LED og købt to elbiler.")
    page.locator("main form button[name=preview]").click()
    expect(page).to_have_url(f"{live_server.url}/my/emissions/reports/{report.pk}/preview/")
    check()
    expect(page.locator("main")).to_contain_text("212,05")
    page.locator(f"main form[action$='/reports/{report.pk}/submit/'] button").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    page.context.clear_cookies()

    # The team leader approves; the report PDF is rendered and offered for download.
    log_in_through_the_form(page, live_server, staff_x)
    page.goto(f"{live_server.url}/aalborg/staff/emissions/reports/{report.pk}/")
    check()
    page.locator(f"main form[action$='/reports/{report.pk}/approve/'] button").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    pdf_link = page.locator(f"main a[href$='/reports/{report.pk}/pdf/']")
    expect(pdf_link).to_be_visible(timeout=30_000)
    check()
    with page.expect_download() as download:
        pdf_link.click()
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(download.value.path().read_bytes())).pages
    )
    assert company_a.name in text
    assert "212,05" in text or "212,1" in text
    page.context.clear_cookies()

    # The representative sees the company's progress chart, drawn by the server.
    log_in_through_the_form(page, live_server, representative)
    page.goto(f"{live_server.url}/my/companies/{company_a.pk}/")
    chart = page.locator("main img[src$='chart.svg']").first
    expect(chart).to_be_visible()
    assert page.evaluate("img => img.naturalWidth > 0", chart.element_handle())
    assert chart.get_attribute("alt")
    check()
