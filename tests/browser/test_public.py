"""Citizens' journey in Chromium: search and filter partners, open a profile by keyboard;
axe checks every public page type in Danish and English."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/",
    "/aalborg/",
    "/aalborg/partners/",
    "/aalborg/partners/?focus=agriculture",
    "/aalborg/partners/29510059/",
    "/aalborg/embed/",
    "/verify/",
    "/accessibility/",
    "/privacy/",
    "/open-data/",
]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_search_filter_and_open_a_profile_with_the_keyboard(live_server, page, demo):
    page.goto(f"{live_server.url}/aalborg/partners/")
    expect(page.locator(".partner-card")).to_have_count(6)

    page.get_by_label("Søg efter navn").fill("kun")
    page.get_by_label("Søg efter navn").press("Enter")
    expect(page.locator(".partner-card")).to_have_count(1)
    expect(page).to_have_url(
        f"{live_server.url}/aalborg/partners/?q=kun&industry=&focus=&form=&sort=name"
    )

    page.goto(f"{live_server.url}/aalborg/partners/")
    page.get_by_label("Fokusområde", exact=True).select_option("agriculture")
    expect(page.locator(".partner-card")).to_have_count(2)  # htmx swaps the results in
    assert "focus=agriculture" in page.url  # and keeps the filter in a shareable URL
    expect(page.get_by_role("status")).to_contain_text("2 partnere")

    # Tab to the first partner link and open it with Enter.
    link = page.locator(".partner-card a").first
    name = link.inner_text()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.partner-card') !== null"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    assert page.context.cookies() == []


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_public_page_type_has_no_axe_violations(live_server, page, axe, demo, prefix):
    for path in PUBLIC_PAGES:
        page.goto(f"{live_server.url}{prefix}{path}")
        expect(page.locator("h1")).to_have_count(1)
        assert axe() == [], f"{prefix}{path}"
    assert page.context.cookies() == []
