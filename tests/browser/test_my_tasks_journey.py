"""Everyone knows when it is their turn, in Chromium: staff send an agreement; the
representative opens the link in the mail, finds the agreement on "My tasks" and signs; the
team leader's list shows "countersign", they countersign; both lists are empty afterwards.
axe checks the new pages (the task list and the one-click notification page).

Locators use ids, data attributes and URLs, not wording, so the test holds before and after
the Danish translations are written.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from partnerships import services
from partnerships.models import Agreement
from tests.conftest import PASSWORD, log_in_through_the_form
from tests.factories import AgreementTemplateFactory
from tests.test_permission_matrix import _draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_in(message, live_server):
    found = re.search(r"http://testserver(/\S+)", message.body)
    assert found, message.body
    return f"{live_server.url}{found.group(1)}"


def test_agreement_hand_overs_through_mail_and_my_tasks(
    live_server, page, axe, alliance, company_a, rep_a, staff_x, monkeypatch
):
    def check():
        assert axe() == [], page.url

    # The PDF after the countersignature is another journey's business.
    monkeypatch.setattr(services, "queue_agreement_pdf", lambda agreement: None)
    AgreementTemplateFactory(alliance=alliance)
    agreement, _pledges = _draft(alliance, company_a, staff_x, "Halver udledningen")

    # The team leader signs in, lands on their (empty) task list and sends the agreement.
    log_in_through_the_form(page, live_server, staff_x)
    expect(page).to_have_url(f"{live_server.url}/my/tasks/")
    expect(page.locator("#my-tasks-empty")).to_be_visible()
    check()
    page.goto(f"{live_server.url}/aalborg/staff/agreements/{agreement.pk}/")
    page.locator(f"form[action='/aalborg/staff/agreements/{agreement.pk}/send/'] button").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()

    # The representative's mail links straight to the signature.
    (message,) = [m for m in mail.outbox if m.to == [rep_a.email]]
    sign_url = link_in(message, live_server)
    assert sign_url.endswith(f"/my/agreements/{agreement.pk}/sign/")
    page.context.clear_cookies()
    page.goto(sign_url)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.locator("#id_username").fill(rep_a.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(sign_url)

    # ... and "My tasks", with its count in the navigation, shows it too.
    page.locator("header a[href='/my/tasks/']").click()
    expect(page.locator("header a[href='/my/tasks/'] .badge")).to_contain_text("1")
    task = page.locator("#my-tasks [data-task=agreement-sign] a")
    expect(task).to_have_attribute("href", f"/my/agreements/{agreement.pk}/sign/")
    check()
    task.click()
    page.locator("#id_typed_name").fill("Anna Alfa")
    page.locator("#id_title").fill("Direktør")
    page.locator("#id_confirm").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    page.goto(f"{live_server.url}/my/tasks/")
    expect(page.locator("#my-tasks-empty")).to_be_visible()

    # The mail to the team leader, who may countersign, links to the countersignature.
    (countersign_mail,) = [m for m in mail.outbox if m.to == [staff_x.email]]
    assert link_in(countersign_mail, live_server).endswith(
        f"/aalborg/staff/agreements/{agreement.pk}/countersign/"
    )
    # One-click preference link from that mail: no sign-in needed.
    preferences = re.search(r"http://testserver(/\S*/notifications/\S+)", countersign_mail.body)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{preferences.group(1)}")
    expect(page.locator("input[name=notification_mode]")).to_have_count(2)
    check()

    log_in_through_the_form(page, live_server, staff_x)
    expect(page).to_have_url(f"{live_server.url}/my/tasks/")
    task = page.locator("#my-tasks [data-task=agreement-countersign] a")
    expect(task).to_be_visible()
    check()
    task.click()
    expect(page).to_have_url(
        f"{live_server.url}/aalborg/staff/agreements/{agreement.pk}/countersign/"
    )
    page.locator("#id_typed_name").fill("Tea Teamleder")
    page.locator("#id_title").fill("Teamleder")
    page.locator("#id_confirm").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/aalborg/staff/agreements/{agreement.pk}/")
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE

    # Both lists are empty now.
    page.goto(f"{live_server.url}/my/tasks/")
    expect(page.locator("#my-tasks-empty")).to_be_visible()
    expect(page.locator("header a[href='/my/tasks/'] .badge")).to_have_count(0)
    check()
    page.context.clear_cookies()
    log_in_through_the_form(page, live_server, rep_a)
    expect(page).to_have_url(f"{live_server.url}/my/tasks/")
    expect(page.locator("#my-tasks-empty")).to_be_visible()
