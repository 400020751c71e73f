"""Issue 3's journey in Chromium: the team leader registers a company and invites its contact,
who sets a password and edits the company description. axe checks every page visited."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from companies.models import Company
from tests.conftest import PASSWORD, totp_code
from tests.factories import next_valid_cvr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-long-fresh-passphrase"


def test_team_leader_registers_and_invites_and_the_contact_edits_the_profile(
    live_server, page, axe, alliance, staff_x
):
    visited = []

    def check():
        visited.append(page.url)
        assert axe() == [], page.url

    # The team leader logs in through the form.
    page.goto(f"{live_server.url}/accounts/login/")
    check()
    page.get_by_label("E-mailadresse").fill(staff_x.email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.keyboard.press("Enter")
    # ... with the code from the authenticator app as the second step,
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    check()
    page.get_by_label("6-cifret kode").fill(totp_code(staff_x.totpdevice_set.get()))
    page.keyboard.press("Enter")
    # ... lands on "My tasks" and goes on to the alliance's dashboard,
    expect(page).to_have_url(re.compile(r"/my/tasks/$"))
    page.locator("main a[href='/aalborg/staff/']").click()
    expect(page).to_have_url(re.compile(r"/aalborg/staff/$"))
    check()

    # ... registers a company,
    page.locator("main").get_by_role("link", name="Registrér en virksomhed").click()
    check()
    cvr = next_valid_cvr()
    page.get_by_label("CVR-nummer").fill(cvr)
    page.get_by_label("Juridisk navn").fill("Gamma Energi A/S")
    page.locator("#id_industry").select_option("D")
    page.locator("main form button[type=submit]", has_text="Gem").click()
    company = Company.objects.get(cvr=cvr)
    expect(page).to_have_url(f"{live_server.url}/aalborg/staff/companies/{company.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gamma Energi A/S")
    check()

    # ... adds its contact person,
    page.get_by_role("link", name="Tilføj kontaktperson").click()
    check()
    page.get_by_label("Navn").fill("Ida Jensen")
    page.get_by_label("Titel").fill("Direktør")
    page.get_by_label("E-mailadresse").fill("ida@gamma.example")
    page.get_by_label("Tegningsberettiget").check()
    page.locator("main form button[type=submit]", has_text="Gem").click()
    expect(page.locator("main")).to_contain_text("Ida Jensen")
    check()

    # ... and invites her.
    page.get_by_role("button", name="Send invitation til Ida Jensen").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    check()
    assert [message.to for message in mail.outbox] == [["ida@gamma.example"]]
    assert "Invitation fra Klimaalliancen Aalborg" in mail.outbox[0].subject
    link = re.search(r"http://\S+/invitation/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    # The contact opens the link in a fresh session and sets a password.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/{path}")
    expect(page.locator("main")).to_contain_text("Gamma Energi A/S")
    check()
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/my/companies/{company.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gamma Energi A/S")
    check()

    # She edits the company description.
    page.locator(f"a[href='/my/companies/{company.pk}/edit/']").click()
    check()
    page.locator("#id_description").fill("Vi producerer fjernvarme af overskudsvarme.")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/my/companies/{company.pk}/")
    expect(page.locator("main")).to_contain_text("Vi producerer fjernvarme af overskudsvarme.")
    check()
    company.refresh_from_db()
    assert company.description == "Vi producerer fjernvarme af overskudsvarme."
    assert company.representatives.get().may_sign is True
    assert len(visited) == 12  # eleven pages and the code page of the second factor
