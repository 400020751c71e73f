"""The sealed agreement in Chromium (issue 16, "Done when"): the representative downloads the
countersigned agreement's PDF through the download link, uploads it on /verify/, in Danish
and in English, and the page says the digital seal is valid. axe checks every page visited,
on a desktop and on a phone.

The agreement is signed and countersigned through the services (the signing journey in the
browser is tests/browser/test_agreement_journey.py); its PDF job runs at the commit and
seals the PDF with the test CA's platform certificate, which SEAL_TRUST_ROOTS trusts
(tests/seal_fixtures.py). pyHanko signs through asyncio.run(), which refuses to run beside
Playwright's event loop in the test thread, so the agreement is made in a thread of its own,
as a worker would.
"""

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import translation
from playwright.sync_api import expect

from klimaalliance import seal
from tests.conftest import log_in_through_the_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def sealed(platform_seal, alliance, company_a, rep_a, staff_x):
    """A countersigned agreement whose PDF job ran at the commit: sealed by the platform."""
    from tests.partnerships.test_signing import make_sealed

    def make():
        try:
            return make_sealed(alliance, company_a, rep_a, staff_x)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        agreement = pool.submit(make).result()
        agreement.refresh_from_db()
        assert pool.submit(seal.check_seal, agreement.pdf.read()).result().is_valid
    return agreement


def valid_seal_text(language: str) -> str:
    with translation.override(language):
        return str(seal.REASONS[seal.VALID])


def test_the_downloaded_agreement_has_a_valid_seal_on_verify(
    live_server, page, axe, sealed, rep_a, company_a, tmp_path
):
    # The representative downloads the signed PDF from the agreement's page.
    log_in_through_the_form(page, live_server, rep_a)
    page.goto(f"{live_server.url}/my/agreements/{sealed.pk}/")
    link = page.locator(f"#pdf-status a[href='/my/agreements/{sealed.pk}/pdf/']")
    expect(link).to_be_visible()
    assert axe() == [], page.url
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.suffix == ".pdf"
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == sealed.pdf_sha256

    # Anyone uploads it on /verify/: Danish at /verify/, English at /en/verify/.
    page.context.clear_cookies()
    for prefix, language in (("", "da"), ("/en", "en")):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}{prefix}/verify/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.locator("#id_file").set_input_files(str(saved))
        page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()

        result = page.locator("section[data-seal-status=valid]")
        expect(result).to_be_visible()
        expect(result.locator(".alert-success[role=status]")).to_have_text(
            valid_seal_text(language)
        )
        expect(result).to_contain_text("Klimaalliance TEST platform seal")
        expect(result).to_contain_text("Klimaalliance TEST root")
        # The archived file is recognised too, with the company it was signed with.
        expect(page.locator("main .alert-success").first).to_be_visible()
        expect(page.locator("main")).to_contain_text(sealed.pdf_sha256)
        expect(page.locator("main")).to_contain_text(company_a.cvr)
        assert axe() == [], f"{page.url} ({language})"
        page.set_viewport_size(PHONE)
        assert axe() == [], f"{page.url} ({language}, phone)"
    assert page.context.cookies() == []
