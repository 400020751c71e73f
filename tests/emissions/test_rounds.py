"""Rounds that fit reality (issue 13, point 6): a company that becomes an active member
while a round is open joins it with its own deadline; a round is opened for a finished year
unless staff confirm; only the members of the round's year are asked; a report submitted
after its deadline is marked late.
"""

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation

from companies import access
from companies.models import Membership
from companies.services import membership_change_status
from emissions import reporting
from emissions.models import Report, ReportingRound
from tests.emissions.test_reporting import climate_accounts, fill_in
from tests.factories import (
    AgreementFactory,
    CompanyFactory,
    MembershipFactory,
    PledgeFactory,
    RepresentationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year - 1
STAFF = "/aalborg/staff/emissions"
STAFF_EN = "/en/aalborg/staff/emissions"


def days(n):
    return TODAY + datetime.timedelta(days=n)


def date_in(language, day):
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


def agreement_with_pledges(alliance, company):
    """An active agreement with a CO2 pledge and a milestone (what `fill_in` fills)."""
    agreement = AgreementFactory(alliance=alliance, company=company)
    PledgeFactory(
        agreement=agreement,
        title="Halver udledningen",
        metric="t CO2e, scope 1+2",
        scopes=[1, 2],
        order=1,
    )
    PledgeFactory(
        agreement=agreement,
        title="Energisyn",
        is_milestone=True,
        metric="",
        baseline_year=None,
        baseline_value=None,
        target_value=None,
        target_year=2027,
        order=2,
    )
    return agreement


@pytest.fixture
def newcomer(alliance):
    """A company that shares its data with the alliance but is not a member yet, with an
    English-speaking representative and an active agreement (signed, not yet countersigned
    into membership)."""
    membership = MembershipFactory(
        alliance=alliance,
        company=CompanyFactory(legal_name="Nykommer ApS"),
        status=Membership.Status.INVITED,
    )
    rep = RepresentationFactory(
        company=membership.company, user=UserFactory(language="en", email="ny@example.com")
    ).user
    agreement_with_pledges(alliance, membership.company)
    return membership, rep


def open_round(alliance, staff, deadline, year=YEAR):
    return reporting.round_open(alliance=alliance, year=year, deadline=deadline, by=staff)


# --- 1. A company that becomes an active member joins the open round -----------------------


def test_a_company_that_becomes_active_joins_the_open_round_with_its_own_deadline(
    client, alliance, company_a, staff_x, newcomer, django_capture_on_commit_callbacks
):
    membership, rep = newcomer
    reporting_round = open_round(alliance, staff_x, days(10))
    closed = open_round(alliance, staff_x, days(10), year=YEAR - 1)
    reporting.round_close(reporting_round=closed, by=staff_x)
    assert not Report.objects.filter(company=membership.company).exists()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        membership_change_status(membership=membership, status="active", by=staff_x)

    # A report in the open round only, with a line for each pledge and 30 days to report,
    # as the round's own deadline is sooner.
    report = Report.objects.get(company=membership.company)
    assert report.round == reporting_round
    assert report.pledge_statuses.count() == 2
    assert report.deadline == days(reporting.LATE_JOINER_DAYS)
    # The round's opening mail, in the representative's language, naming its own deadline.
    assert [m.to for m in mail.outbox] == [[rep.email]]
    message = mail.outbox[0]
    assert f"time to report on {YEAR}" in message.subject
    assert date_in("en", report.deadline) in message.body
    assert f"/en/my/emissions/reports/{report.pk}/" in message.body
    assert set(report.reminders.values_list("kind", flat=True)) == {"opened"}

    # The representative sees the company's own deadline, not the round's.
    client.force_login(rep)
    page = client.get(f"/en/my/emissions/reports/{report.pk}/").content.decode()
    assert f"Due {date_in('en', days(30))}" in page
    assert date_in("en", days(10)) not in page

    # Staff set it later on the report's page; the representative sees the new date.
    client.force_login(staff_x)
    response = client.post(
        f"{STAFF}/reports/{report.pk}/extend/", {"until": days(45).isoformat()}, follow=True
    )
    assert f"Nykommer ApS har nu frist til {date_in('da', days(45))}" in response.content.decode()
    client.force_login(rep)
    page = client.get(f"/en/my/emissions/reports/{report.pk}/").content.decode()
    assert f"Due {date_in('en', days(45))}" in page


def test_a_round_with_a_later_deadline_keeps_it_for_the_newcomer(
    alliance, staff_x, newcomer, django_capture_on_commit_callbacks
):
    membership, _ = newcomer
    open_round(alliance, staff_x, days(60))
    with django_capture_on_commit_callbacks(execute=True):
        membership_change_status(membership=membership, status="active", by=staff_x)
    report = Report.objects.get(company=membership.company)
    assert report.extended_deadline is None
    assert report.deadline == days(60)


def test_a_reactivated_member_keeps_its_report(
    alliance, company_a, staff_x, rep_a, django_capture_on_commit_callbacks
):
    agreement_with_pledges(alliance, company_a)
    reporting_round = open_round(alliance, staff_x, days(40))
    report = reporting_round.reports.get()
    membership = Membership.objects.get(alliance=alliance, company=company_a)
    membership_change_status(membership=membership, status="paused", by=staff_x)
    with django_capture_on_commit_callbacks(execute=True):
        membership_change_status(membership=membership, status="active", by=staff_x)
    assert list(Report.objects.filter(company=company_a)) == [report]
    assert report.pledge_statuses.count() == 2


def test_no_open_round_no_report(alliance, staff_x, newcomer):
    membership, _ = newcomer
    membership_change_status(membership=membership, status="active", by=staff_x)
    assert not Report.objects.exists()


def test_companies_does_not_import_emissions():
    """The round is joined through a signal (companies.signals), not an import."""
    tool = Path("/work/shared/tools/import_graph.py")
    if not tool.exists():
        pytest.skip("import_graph.py is not on this machine")
    result = subprocess.run(
        [sys.executable, str(tool), str(settings.BASE_DIR)], capture_output=True, text=True
    )
    assert "0 pairs of apps importing each other" in result.stdout, result.stdout


# --- 2. A round for a finished year, unless staff confirm ---------------------------------


def test_a_round_for_this_year_needs_the_staffs_confirmation(client, staff_x, alliance, company_a):
    client.force_login(staff_x)
    data = {"year": TODAY.year, "deadline": days(30).isoformat()}
    page = client.get(f"{STAFF_EN}/rounds/new/").content.decode()
    assert "The year is not over yet; open the round anyway" in page

    response = client.post(f"{STAFF_EN}/rounds/new/", data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["year"])
    assert f"{TODAY.year} is not over yet" in errors
    assert f"{TODAY.year} is not over yet" in response.content.decode()
    assert not ReportingRound.objects.exists()
    with pytest.raises(ValidationError):
        open_round(alliance, staff_x, days(30), year=TODAY.year)

    response = client.post(f"{STAFF_EN}/rounds/new/", {**data, "allow_unfinished_year": "on"})
    reporting_round = ReportingRound.objects.get()
    assert response.status_code == 302
    assert reporting_round.year == TODAY.year
    assert list(reporting_round.reports.values_list("company", flat=True)) == [company_a.pk]


def test_a_finished_year_needs_no_confirmation(client, staff_x, alliance):
    client.force_login(staff_x)
    response = client.post(f"{STAFF}/rounds/new/", {"year": YEAR, "deadline": days(30)})
    assert response.status_code == 302
    assert ReportingRound.objects.get().year == YEAR


# --- 3. Only the members of the round's year are asked --------------------------------------


def test_only_companies_that_were_active_members_in_the_year_are_asked(
    alliance, other_alliance, staff_x
):
    def member(name, status="active", joined=None, ended=None, shared=True, where=alliance):
        return MembershipFactory(
            alliance=where,
            company=CompanyFactory(legal_name=name),
            status=status,
            joined_on=joined,
            ended_on=ended,
            access_granted_at=timezone.now() if shared else None,
        ).company

    asked = {
        member("Hele året", joined=datetime.date(YEAR - 3, 5, 1)),
        member("Nytårsdag", joined=datetime.date(YEAR, 12, 31)),
        member("Uden dato"),  # joined before dates were kept
        member("Gik i året", "left", datetime.date(YEAR - 2, 1, 1), datetime.date(YEAR, 1, 1)),
    }
    not_asked = {
        member("Kom efter året", joined=datetime.date(YEAR + 1, 1, 1)),
        member(
            "Gik før året", "left", datetime.date(YEAR - 3, 1, 1), datetime.date(YEAR - 1, 12, 31)
        ),
        member("På pause", "paused", joined=datetime.date(YEAR - 3, 1, 1)),
        member("Emne", "prospect"),
        member("Ikke delt", joined=datetime.date(YEAR - 3, 1, 1), shared=False),
        member("Aarhus", joined=datetime.date(YEAR - 3, 1, 1), where=other_alliance),
    }
    assert set(access.reporting_companies(alliance, year=YEAR)) == asked
    reporting_round = open_round(alliance, staff_x, days(30))
    assert {r.company for r in reporting_round.reports.select_related("company")} == asked
    assert not_asked.isdisjoint(c.company for c in reporting_round.reports.all())
    # Without a year, the circle is unchanged: the active members now.
    now = {c.legal_name for c in access.reporting_companies(alliance)}
    assert now == {"Hele året", "Nytårsdag", "Uden dato", "Kom efter året"}


# --- 4. A report submitted after its deadline is marked late -------------------------------


@pytest.fixture
def report(alliance, company_a, staff_x, rep_a):
    agreement_with_pledges(alliance, company_a)
    climate_accounts(company_a)
    reporting_round = open_round(alliance, staff_x, days(20))
    report = reporting_round.reports.get()
    fill_in(report)
    return report


def test_a_report_submitted_after_its_deadline_is_marked_late(client, report, rep_a, staff_x):
    Report.objects.filter(pk=report.pk).update(extended_deadline=days(-1))
    report = reporting.report_submit(report=report, by=rep_a)
    assert report.submitted_late

    client.force_login(staff_x)
    for url in (f"{STAFF_EN}/rounds/{report.round_id}/", f"{STAFF_EN}/reports/{report.pk}/"):
        page = client.get(url).content.decode()
        assert '<span class="badge text-bg-warning">Late</span>' in page, url
    client.force_login(rep_a)
    for url in (
        f"/en/my/emissions/reports/{report.pk}/",
        f"/en/my/companies/{report.company_id}/",
    ):
        page = client.get(url).content.decode()
        assert '<span class="badge text-bg-warning">Late</span>' in page, url

    # Sent back and submitted again: still late; a later extension does not undo it.
    reporting.report_return(report=report, by=staff_x, comment="Ret tallet.")
    Report.objects.filter(pk=report.pk).update(extended_deadline=days(40))
    report = reporting.report_submit(report=Report.objects.get(pk=report.pk), by=rep_a)
    assert report.submitted_late


def test_a_report_submitted_in_time_is_not_late_even_if_resubmitted_after(
    client, report, rep_a, staff_x
):
    report = reporting.report_submit(report=report, by=rep_a)
    assert not report.submitted_late
    client.force_login(staff_x)
    page = client.get(f"{STAFF_EN}/rounds/{report.round_id}/").content.decode()
    assert ">Late<" not in page and "Alfa A/S" in page

    # Sent back on the last day and submitted again after the deadline: the company was on
    # time, so it is not marked late.
    reporting.report_return(report=report, by=staff_x, comment="Ret tallet.")
    Report.objects.filter(pk=report.pk).update(extended_deadline=days(-1))
    report = reporting.report_submit(report=Report.objects.get(pk=report.pk), by=rep_a)
    assert not report.submitted_late
