"""Issue 14, accessibility at a phone's width (375 px): a partner profile with its
progress table and the API documentation page pass axe in Danish and English, and a wide
table is a region the keyboard reaches and scrolls."""

import pytest
from playwright.sync_api import expect

from companies.models import Company
from tests.emissions.test_documents import approved_report, inventory
from tests.factories import AgreementFactory, PledgeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def profile(alliance, company_a):
    Company.objects.filter(pk=company_a.pk).update(
        publishes_figures=True, description="Vi kører på strøm fra egne solceller."
    )
    inventory(company_a, 2021, "900", "100", baseline=True)
    inventory(company_a, 2024, "700", "100")
    agreement = AgreementFactory(alliance=alliance, company=company_a)
    pledge = PledgeFactory(agreement=agreement, title="Halvér udledningen fra transport")
    approved_report(alliance, company_a, 2024, values=[(pledge, "700")])
    return f"/{alliance.slug}/partners/{company_a.cvr}/"


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_profile_and_api_docs_pass_axe_on_a_phone(live_server, page, axe, profile, prefix):
    page.set_viewport_size(PHONE)
    for path in (profile, "/open-data/"):
        page.goto(f"{live_server.url}{prefix}{path}")
        expect(page.locator("h1")).to_have_count(1)
        assert axe() == [], f"{prefix}{path}"
    assert page.context.cookies() == []


def test_the_progress_table_is_reached_and_scrolled_by_keyboard(live_server, page, profile):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/en{profile}")
    region = page.locator("#progress-heading ~ div[role=region]")
    expect(region).to_have_count(1)
    region.focus()
    expect(region).to_be_focused()
    wide = region.evaluate("el => el.scrollWidth > el.clientWidth")
    if wide:
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        # Scrolling may be smooth: wait until the region has moved.
        region.evaluate("el => new Promise(r => setTimeout(r, 500))")
        assert region.evaluate("el => el.scrollLeft") > 0
    # The Danish description on the English page is marked as Danish.
    expect(page.locator("p.lead[lang=da]")).to_have_text("Vi kører på strøm fra egne solceller.")
