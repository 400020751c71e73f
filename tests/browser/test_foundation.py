import pytest
from django.core.management import call_command
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    # As `make run` seeds it: in development, where demo staff get the published demo secret.
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_front_page_language_switch_skip_link_and_axe(live_server, page, axe, demo):
    page.goto(f"{live_server.url}/aalborg/")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=1)).to_have_text("Klimaalliancen Aalborg")
    assert axe() == []

    # The first Tab lands on the skip link, which becomes visible and jumps to <main>.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Spring til hovedindholdet")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == f"{live_server.url}/en/aalborg/"
    expect(page.get_by_text("Skip to main content")).to_have_count(1)
    assert axe() == []
    assert page.context.cookies() == []


def test_national_overview_and_login_pages_are_accessible(live_server, page, axe, demo):
    for path in ["/", "/en/", "/accounts/login/", "/accessibility/", "/privacy/"]:
        page.goto(f"{live_server.url}{path}")
        assert axe() == [], path


def test_team_leader_logs_in_with_the_keyboard_and_reaches_the_dashboard(
    live_server, page, axe, demo
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mailadresse").fill("teamleder@aalborg.example")
    page.get_by_label("Adgangskode").fill("klima-demo-2026")
    page.keyboard.press("Enter")
    # The second step: the code the demo authenticator app shows (the focus is in the field).
    expect(page.get_by_label("6-cifret kode")).to_be_focused()
    assert axe() == []
    leader = TOTPDevice.objects.get(user__email="teamleder@aalborg.example")
    page.keyboard.type(totp_code(leader))
    page.keyboard.press("Enter")
    # Everyone lands on their task list; the menu leads on to the alliance's workspace.
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine opgaver")
    assert page.url.endswith("/my/tasks/")
    assert axe() == []
    page.get_by_role("link", name="Arbejd i Klimaalliancen Aalborg").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Klimaalliancen Aalborg")
    assert page.url.endswith("/aalborg/staff/")
    assert axe() == []
