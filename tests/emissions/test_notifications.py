"""Hand-overs of the reporting round: submitted → staff; approved, sent back or verified →
the company's representatives (read from the mails the outbox sent)."""

import pytest
from django.core import mail

from emissions import reporting, services
from tests.emissions import test_reporting as world
from tests.factories import RepresentationFactory, UserFactory

# The reporting tests' world: company A's active agreement, an open round, its report.
pledges = world.pledges
open_round = world.open_round
report = world.report
submitted = world.submitted
climate_accounts, fill_in = world.climate_accounts, world.fill_in

pytestmark = pytest.mark.django_db


def test_a_submitted_report_goes_to_staff(
    report, company_a, rep_a, staff_x, django_capture_on_commit_callbacks
):
    climate_accounts(company_a)
    fill_in(report)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reporting.report_submit(report=report, by=rep_a)
    (to_staff,) = mail.outbox
    assert to_staff.to == [staff_x.email]
    assert "Alfa A/S" in to_staff.subject
    assert f"http://testserver/aalborg/staff/emissions/reports/{report.pk}/" in to_staff.body


def test_approval_and_send_back_go_to_the_representatives_in_their_language(
    submitted, company_a, rep_a, staff_x, django_capture_on_commit_callbacks
):
    english = RepresentationFactory(
        company=company_a, user=UserFactory(email="cfo@alfa.example", language="en")
    ).user
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reporting.report_return(report=submitted, by=staff_x, comment="Ret scope 2 & tal")
    assert {m.to[0] for m in mail.outbox} == {rep_a.email, english.email}
    (back,) = [m for m in mail.outbox if m.to == [english.email]]
    assert "was sent back" in back.subject
    assert "Ret scope 2 & tal" in back.body
    assert f"http://testserver/en/my/emissions/reports/{submitted.pk}/" in back.body
    reporting.report_submit(report=submitted, by=rep_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reporting.report_approve(report=submitted, by=staff_x)
    approved = [m for m in mail.outbox if m.to == [english.email]]
    assert len(approved) == 1 and "is approved" in approved[0].subject


def test_verified_figures_are_announced_to_the_representatives(
    alliance, company_a, rep_a, staff_x, django_capture_on_commit_callbacks
):
    inventory = services.inventory_create(company=company_a, year=2024)
    with django_capture_on_commit_callbacks(execute=True):
        services.inventory_verify(
            inventory=inventory, by=staff_x, method="Stikprøve af fakturaer", alliance=alliance
        )
    (verified,) = mail.outbox
    assert verified.to == [rep_a.email]
    assert "Stikprøve af fakturaer" in verified.body
    assert f"/my/emissions/companies/{company_a.pk}/2024/" in verified.body
