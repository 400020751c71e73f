"""A citizen reads an alliance's progress and the national overview and downloads the CSV;
a company asks to become a partner; the alliance's staff find the new prospect on their
task list (and in their mail). axe checks the pages in Danish and English, at desktop and
phone widths; anonymous visitors get no cookie outside the join page.

Locators use ids, data attributes and URLs, not wording, so the test holds before and after
the Danish translations are written.
"""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from companies.models import Company, Membership
from tests.conftest import log_in_through_the_form
from tests.public.test_progress import figures  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CVR = "10000009"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PAGES = ["/", "/aalborg/", "/aalborg/events/", "/aalborg/join/", "/aalborg/join/thanks/"]


@pytest.fixture(autouse=True)
def _no_earlier_join_requests():
    cache.delete("join-request:client:127.0.0.1")
    yield
    cache.delete("join-request:client:127.0.0.1")


@pytest.fixture
def contact(alliance):
    alliance.contact_name = "Lone Leder"
    alliance.contact_email = "klima@aalborg.example"
    alliance.contact_phone = "99 31 31 31"
    alliance.address = "Boulevarden 13\n9000 Aalborg"
    alliance.save()
    return alliance


def test_citizen_reads_progress_and_a_company_asks_to_join(
    live_server,
    page,
    axe,
    figures,  # noqa: F811
    contact,
    staff_x,
):
    base = live_server.url
    # The alliance page: chart (a loaded image with a text alternative) and its table.
    page.goto(f"{base}/aalborg/")
    chart = page.locator("img.emissions-chart").first
    expect(chart).to_be_visible()
    assert page.evaluate("document.querySelector('img.emissions-chart').naturalWidth") > 0
    assert chart.get_attribute("alt")
    expect(page.locator("tr[data-year='2024'] td").last).to_have_text("800")
    expect(page.locator("address")).to_contain_text("Boulevarden 13")
    assert page.context.cookies() == []

    # The national overview, and its CSV file.
    page.goto(f"{base}/")
    expect(page.locator("[data-figure='partners-reporting']").first).to_have_text("2")
    with page.expect_download() as download:
        page.locator("a[href='/api/v1/progress.csv']").click()
    csv_text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert "aalborg" in csv_text and "800" in csv_text
    assert page.context.cookies() == []

    # A company asks to join from the alliance page.
    page.goto(f"{base}/aalborg/")
    page.locator("a[href='/aalborg/join/']").first.click()
    expect(page).to_have_url(f"{base}/aalborg/join/")
    assert [cookie["name"] for cookie in page.context.cookies()] == ["csrftoken"]
    page.locator("#id_cvr").fill("10 00 00 09")
    page.locator("#id_company_name").fill("Grøn Gartneri ApS")
    page.locator("#id_industry").select_option("A")
    page.locator("#id_contact_name").fill("Mette Madsen")
    page.locator("#id_email").fill("mette@gartneri.example")
    page.locator("#id_phone").fill("12 34 56 78")
    page.locator("#id_message").fill("Vi vil gerne i gang med vores klimaregnskab.")
    # The honeypot takes no room on the screen and is left empty, as a person would.
    honeypot = page.locator("[aria-hidden='true']:has(#id_homepage)")
    assert honeypot.bounding_box()["width"] <= 1 and honeypot.bounding_box()["height"] <= 1
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/aalborg/join/thanks/")
    company = Company.objects.get(cvr=CVR)
    membership = Membership.objects.get(company=company)
    assert (membership.alliance_id, membership.status) == (contact.pk, "prospect")
    (message,) = [m for m in mail.outbox if m.to == [staff_x.email]]
    assert f"/aalborg/staff/companies/{company.pk}/" in message.body

    # Staff sign in and find the new prospect on their task list, and in the member list.
    page.context.clear_cookies()
    log_in_through_the_form(page, live_server, staff_x)
    expect(page).to_have_url(f"{base}/my/tasks/")
    task = page.locator(f"main a[href^='/aalborg/staff/companies/{company.pk}/']").first
    expect(task).to_be_visible()
    task.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grøn Gartneri ApS")
    expect(page.locator("main")).to_contain_text("Vi vil gerne i gang med vores klimaregnskab.")
    assert axe() == [], page.url
    page.goto(f"{base}/aalborg/staff/companies/?status=prospect")
    expect(page.locator(f"main a[href='/aalborg/staff/companies/{company.pk}/']")).to_be_visible()


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_pages_have_no_axe_violations_and_set_no_cookie(
    live_server,
    page,
    axe,
    figures,  # noqa: F811
    contact,
    prefix,
    viewport,
):
    from network.models import AllianceEvent

    event = AllianceEvent.objects.create(
        alliance=contact, title="Klimatopmøde", date="2030-06-14", place="Aalborg"
    )
    page.set_viewport_size(viewport)
    for path in [*PAGES, f"/aalborg/events/{event.pk}/"]:
        page.goto(f"{live_server.url}{prefix}{path}")
        expect(page.locator("h1")).to_have_count(1)
        assert axe() == [], f"{prefix}{path} at {viewport['width']} px"
        names = [cookie["name"] for cookie in page.context.cookies()]
        if re.search(r"/join/$", path):
            assert names == ["csrftoken"], path
            page.context.clear_cookies()
        else:
            assert names == [], path
    # The join form's errors are announced and accessible too.
    page.goto(f"{live_server.url}{prefix}/aalborg/join/")
    page.locator("#id_cvr").fill("12345678")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_cvr")).to_have_class(re.compile("is-invalid"))
    assert axe() == [], "join form with errors"
