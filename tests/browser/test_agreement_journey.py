"""The agreement journey in Chromium: the team leader drafts and sends an agreement, the
company's representative signs it, the municipality countersigns, the PDF appears on the
representative's page by itself, and the downloaded file verifies as authentic on /verify/.
axe checks every page visited.

Locators use ids and URLs, not wording, so the test holds before and after the Danish
translations are written.
"""

import hashlib

import pytest
from playwright.sync_api import expect

from partnerships import services
from partnerships.models import Agreement, Signature
from partnerships.seed import ensure_starting_content
from partnerships.tasks import render_agreement_pdf_task
from tests.conftest import log_in_through_the_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    # Password, then (for staff) the code from their authenticator app.
    log_in_through_the_form(page, live_server, user)


def test_draft_sign_countersign_download_and_verify(
    live_server, page, axe, alliance, company_a, rep_a, staff_x, monkeypatch, tmp_path
):
    visited = []

    def check():
        visited.append(page.url)
        assert axe() == [], page.url

    # The team leader logs in through the form.
    page.goto(f"{live_server.url}/accounts/login/")
    check()
    log_in(page, live_server, staff_x)
    check()

    # ... drafts an agreement for the company with two pledges and sends it.
    ensure_starting_content(alliance)
    staff_base = f"{live_server.url}/aalborg/staff/agreements"
    page.goto(f"{staff_base}/new/?company={company_a.pk}")
    check()
    page.locator("#id_company").select_option(str(company_a.pk))
    page.locator("input[name=focus_areas][value=energy]").check()
    page.locator("input[name=focus_areas][value=transport]").check()
    page.locator("main form button[type=submit]").click()
    agreement = Agreement.objects.get(company=company_a)
    expect(page).to_have_url(f"{staff_base}/{agreement.pk}/")
    check()
    for pledge in [
        {
            "title": "Halve scope 1 and 2 emissions",
            "metric": "t CO2e",
            "baseline_year": "2021",
            "baseline_value": "1200,5",
            "target_year": "2030",
            "target_value": "600",
        },
        {"title": "Zero-emission car fleet", "target_year": "2030", "is_milestone": True},
    ]:
        new_pledge = f"/aalborg/staff/agreements/{agreement.pk}/pledges/new/"
        page.locator(f"main a[href='{new_pledge}']").click()
        check()
        for name, value in pledge.items():
            if value is True:
                page.locator(f"#id_{name}").check()
            else:
                page.locator(f"#id_{name}").fill(value)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(f"{staff_base}/{agreement.pk}/")
    assert agreement.pledges.count() == 2
    assert str(agreement.pledges.get(is_milestone=False).baseline_value) == "1200.50"
    page.locator(f"form[action='/aalborg/staff/agreements/{agreement.pk}/send/'] button").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    check()
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SENT

    # The representative logs in, in a fresh session, and signs.
    page.context.clear_cookies()
    log_in(page, live_server, rep_a)
    detail = f"{live_server.url}/my/agreements/{agreement.pk}/"
    page.goto(detail)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Alfa A/S")
    check()
    page.locator(f"main a[href='/my/agreements/{agreement.pk}/sign/']").click()
    expect(page).to_have_url(f"{live_server.url}/my/agreements/{agreement.pk}/sign/")
    expect(page.locator("main")).to_contain_text("Halve scope 1 and 2 emissions")
    check()
    page.locator("#id_typed_name").fill("Anna Alfa")
    page.locator("#id_title").fill("Administrerende direktør")
    page.locator("#id_confirm").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(detail)
    expect(page.locator(".messages .alert-success")).to_be_visible()
    check()
    signature = Signature.objects.get(agreement=agreement)
    assert signature.typed_name == "Anna Alfa" and signature.user == rep_a
    assert "HeadlessChrome" in signature.user_agent or "Chrome" in signature.user_agent

    # The municipality countersigns on the staff page. The PDF job is held back so the page
    # shows "being generated" first and must update itself by polling.
    monkeypatch.setattr(services, "queue_agreement_pdf", lambda agreement: None)
    page.context.clear_cookies()
    log_in(page, live_server, staff_x)
    page.goto(f"{staff_base}/{agreement.pk}/")
    page.locator(f"main a[href='/aalborg/staff/agreements/{agreement.pk}/countersign/']").click()
    expect(page.locator("main")).to_contain_text("Halve scope 1 and 2 emissions")
    check()
    page.locator("#id_typed_name").fill("Tea Teamleder")
    page.locator("#id_title").fill("Teamleder")
    page.locator("#id_confirm").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{staff_base}/{agreement.pk}/")
    status = page.locator("#pdf-status[role=status]")
    expect(status).to_have_attribute("hx-trigger", "every 2s")
    check()
    render_agreement_pdf_task.delay(agreement.pk)
    link = page.locator(f"#pdf-status a[href='/aalborg/staff/agreements/{agreement.pk}/pdf/']")
    expect(link).to_be_visible(timeout=15_000)
    expect(page.locator("#pdf-status[role=status]")).to_have_count(0)
    check()
    assert Signature.objects.get(agreement=agreement, party="municipality").typed_name == (
        "Tea Teamleder"
    )

    # The representative downloads the PDF ...
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    agreement.refresh_from_db()
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == agreement.pdf_sha256
    assert agreement.status == Agreement.Status.ACTIVE

    # ... and anyone can check it on /verify/.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/verify/")
    check()
    page.locator("#id_file").set_input_files(str(saved))
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    result = page.locator(".alert-success[role=status]")
    expect(result).to_be_visible()
    expect(page.locator("main")).to_contain_text(agreement.pdf_sha256)
    expect(page.locator("main")).to_contain_text(company_a.cvr)
    check()
    assert page.context.cookies() == []
    assert len(visited) == 15
