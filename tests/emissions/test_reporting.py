"""The yearly reporting round, from both sides: staff open, follow and review a round; the
representative fills in, previews and submits the company's report; Celery beat reminds.

Dates are controlled by passing `today` to the reminder service and task (freezegun is not
installed); every other date is relative to the real today.
"""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from emissions import reporting, services
from emissions.models import (
    ImmutableError,
    InventoryLine,
    PledgeStatus,
    Report,
    ReportingRound,
    ReportReminder,
)
from emissions.tasks import send_reporting_reminders
from klimaalliance.models import OutboxMessage
from klimaalliance.private_pages import bump_private_version
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
DEADLINE = TODAY + datetime.timedelta(days=30)
STAFF = "/aalborg/staff/emissions"


def days(n):
    return TODAY + datetime.timedelta(days=n)


# --- The world ---------------------------------------------------------------------------------


def add_line(inventory, category, tonnes):
    line = InventoryLine(
        inventory=inventory,
        category=category,
        description=f"{category} {tonnes}",
        method=InventoryLine.Method.DIRECT,
        tonnes_direct=Decimal(tonnes),
        method_note="Opgjort efter fakturaer",
    )
    services.line_save(line=line)


def climate_accounts(company, year=YEAR):
    """A baseline (2019: 200 t) and the year's account (scope 1: 100 t, scope 2: 50 t)."""
    baseline = services.inventory_create(company=company, year=2019, is_baseline=True)
    add_line(baseline, "s1_stationary", "200")
    inventory = services.inventory_create(company=company, year=year)
    add_line(inventory, "s1_stationary", "100")
    add_line(inventory, "s2_electricity", "50")
    return inventory


@pytest.fixture
def pledges(alliance, company_a):
    """Company A's active agreement: a CO2 pledge on scope 1+2 and a milestone."""
    agreement = AgreementFactory(alliance=alliance, company=company_a)
    co2 = PledgeFactory(
        agreement=agreement,
        title="Halver udledningen",
        metric="t CO2e, scope 1+2",
        scopes=[1, 2],
        baseline_year=2019,
        baseline_value=Decimal("200"),
        target_year=2030,
        target_value=Decimal("100"),
        order=1,
    )
    milestone = PledgeFactory(
        agreement=agreement,
        title="Energisyn af bygningerne",
        is_milestone=True,
        metric="",
        baseline_year=None,
        baseline_value=None,
        target_value=None,
        target_year=2027,
        order=2,
    )
    return co2, milestone


@pytest.fixture
def open_round(alliance, staff_x, pledges, rep_a):
    return reporting.round_open(alliance=alliance, year=YEAR, deadline=DEADLINE, by=staff_x)


@pytest.fixture
def report(open_round, company_a):
    return Report.objects.get(round=open_round, company=company_a)


def statuses(report):
    co2 = report.pledge_statuses.get(pledge__is_milestone=False)
    milestone = report.pledge_statuses.get(pledge__is_milestone=True)
    return co2, milestone


def fill_in(report, value="140", narrative="Vi skiftede til varmepumper."):
    co2, milestone = statuses(report)
    return reporting.report_save(
        report=report,
        narrative=narrative,
        statuses={
            co2.pk: (Decimal(value), "", "Målt"),
            milestone.pk: (None, "in_progress", "Halvvejs"),
        },
    )


@pytest.fixture
def submitted(report, company_a, rep_a):
    climate_accounts(company_a)
    fill_in(report)
    return reporting.report_submit(report=report, by=rep_a)


def form_data(report, *, value="140", milestone="in_progress", narrative="Et godt år.", **extra):
    co2, mile = statuses(report)
    return {
        "version": report.version,
        "narrative": narrative,
        f"value_{co2.pk}": value,
        f"note_{co2.pk}": "Målt",
        f"milestone_{mile.pk}": milestone,
        f"note_{mile.pk}": "Halvvejs",
        **extra,
    }


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Opening a round ----------------------------------------------------------------------------


def test_opening_a_round_gives_every_active_member_a_report_and_mails_them(
    alliance, company_a, staff_x, pledges, rep_a, django_capture_on_commit_callbacks
):
    paused = MembershipFactory(alliance=alliance, status="paused").company
    elsewhere = CompanyFactory()  # a member of no alliance
    second = MembershipFactory(
        alliance=alliance, company=CompanyFactory(legal_name="Gamma")
    ).company
    english = RepresentationFactory(company=second, user=UserFactory(language="en")).user
    with django_capture_on_commit_callbacks(execute=True):
        reporting_round = reporting.round_open(
            alliance=alliance, year=YEAR, deadline=DEADLINE, by=staff_x
        )
    companies = set(reporting_round.reports.values_list("company", flat=True))
    assert companies == {company_a.pk, second.pk}
    assert paused.pk not in companies and elsewhere.pk not in companies
    report = reporting_round.reports.get(company=company_a)
    assert {s.pledge for s in report.pledge_statuses.all()} == set(pledges)

    # One "round opened" mail per representative, each in their own language.
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {rep_a.email, english.email}
    danish, in_english = by_recipient[rep_a.email], by_recipient[english.email]
    assert f"tid til at rapportere for {YEAR}" in danish.subject
    assert f"/my/emissions/reports/{report.pk}/" in danish.body
    assert f"time to report on {YEAR}" in in_english.subject
    assert "/en/my/emissions/reports/" in in_english.body
    assert set(ReportReminder.objects.values_list("kind", flat=True)) == {"opened"}


@pytest.mark.parametrize(
    ("year", "deadline", "field", "message"),
    [
        (1989, DEADLINE, "year", "mellem 1990 og i år"),
        (TODAY.year + 1, DEADLINE, "year", "mellem 1990 og i år"),
        (YEAR, TODAY, "deadline", "efter i dag"),
        (YEAR, days(-5), "deadline", "efter i dag"),
    ],
)
def test_a_round_with_a_bad_year_or_deadline_is_refused(
    client, staff_x, alliance, year, deadline, field, message
):
    client.force_login(staff_x)
    response = client.post(f"{STAFF}/rounds/new/", {"year": year, "deadline": deadline.isoformat()})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not ReportingRound.objects.exists()
    with pytest.raises(ValidationError):
        reporting.round_open(alliance=alliance, year=year, deadline=deadline, by=staff_x)
    assert not ReportingRound.objects.exists()


def test_a_second_round_for_the_same_year_is_refused(client, staff_x, open_round):
    client.force_login(staff_x)
    response = client.post(f"{STAFF}/rounds/new/", {"year": YEAR, "deadline": days(40).isoformat()})
    assert response.status_code == 200
    assert f"Der findes allerede en indberetningsrunde for {YEAR}" in response.content.decode()
    assert ReportingRound.objects.count() == 1
    assert Report.objects.count() == 1


# --- The whole workflow --------------------------------------------------------------------------


def test_staff_open_a_round_the_company_reports_and_staff_approve(
    client, alliance, company_a, staff_x, rep_a, pledges, django_capture_on_commit_callbacks
):
    inventory = climate_accounts(company_a)

    # Staff open the round for last year.
    client.force_login(staff_x)
    response = client.post(
        f"{STAFF}/rounds/new/", {"year": YEAR, "deadline": DEADLINE.strftime("%d.%m.%Y")}
    )
    reporting_round = ReportingRound.objects.get()
    assert response.url == f"{STAFF}/rounds/{reporting_round.pk}/"
    report = reporting_round.reports.get()

    # The representative sees the banner on the company page and opens the report.
    client.force_login(rep_a)
    page = client.get(f"/my/companies/{company_a.pk}/").content.decode()
    assert f"Rapport for {YEAR} med frist {DEADLINE:%-d}." in page
    assert f"/my/emissions/reports/{report.pk}/" in page
    response = client.get(f"/my/emissions/reports/{report.pk}/")
    co2, milestone = statuses(report)
    # The CO2 pledge is prefilled with the account's scope 1+2 total (100 + 50 t).
    inventory.refresh_from_db()
    assert inventory.scope_total([1, 2]) == Decimal("150")
    assert response.context["form"][f"value_{co2.pk}"].value() == Decimal("150.00")
    assert 'value="150,00"' in response.content.decode()

    # Danish decimal notation, thousands separator included.
    response = client.post(
        f"/my/emissions/reports/{report.pk}/",
        form_data(report, value="1.234,5", preview="1"),
    )
    assert response.url == f"/my/emissions/reports/{report.pk}/preview/"
    co2.refresh_from_db()
    milestone.refresh_from_db()
    assert co2.value == Decimal("1234.50") and co2.note == "Målt"
    assert milestone.milestone == "in_progress" and milestone.value is None
    response = client.post(
        f"/my/emissions/reports/{report.pk}/", form_data(Report.objects.get(pk=report.pk))
    )
    co2.refresh_from_db()
    assert co2.value == Decimal("140")

    # The preview is the published body: figures, pledges and the narrative.
    preview = client.get(f"/my/emissions/reports/{report.pk}/preview/")
    body = preview.content.decode()
    assert preview.context["problems"] == []
    assert "Et godt år." in body and "Halver udledningen" in body and "150" in body
    assert "i gang" in body  # the milestone's status

    report.refresh_from_db()
    response = client.post(
        f"/my/emissions/reports/{report.pk}/submit/", {"version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert report.submitted_by == rep_a

    # Staff see it on the round page and approve it; the PDF is queued after commit.
    client.force_login(staff_x)
    round_page = client.get(f"{STAFF}/rounds/{reporting_round.pk}/").content.decode()
    assert "1 af 1 virksomheder har indsendt" in round_page
    review = client.get(f"{STAFF}/reports/{report.pk}/")
    assert "Et godt år." in review.content.decode()
    with django_capture_on_commit_callbacks():
        response = client.post(f"{STAFF}/reports/{report.pk}/approve/")
    assert response.status_code == 302
    queued = OutboxMessage.objects.filter(sent_at__isnull=True, task__endswith="render_report_pdf")
    assert queued.filter(args__0=report.pk).count() == 1
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED
    assert report.reviewed_by == staff_x


def test_submitting_an_incomplete_report_lists_what_is_missing(client, rep_a, report):
    client.force_login(rep_a)
    response = client.post(
        f"/my/emissions/reports/{report.pk}/submit/", {"version": report.version}
    )
    assert response.status_code == 200
    problems = response.context["problems"]
    assert f"Indtast klimaregnskabet for {YEAR}." in problems
    assert "Skriv et par linjer om året." in problems
    assert any("Halver udledningen" in problem for problem in problems)
    assert any("Energisyn af bygningerne" in problem for problem in problems)
    assert "Skriv et par linjer om året." in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


# --- Sending back, extensions, closing --------------------------------------------------------


def test_a_send_back_needs_a_comment_which_the_company_then_sees(client, staff_x, rep_a, submitted):
    client.force_login(staff_x)
    response = client.post(f"{STAFF}/reports/{submitted.pk}/return/", {"comment": "  "})
    assert response.status_code == 200
    assert "Skriv til virksomheden, hvad der skal ændres." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.SUBMITTED
    with pytest.raises(ValidationError):
        reporting.report_return(report=submitted, by=staff_x, comment="")

    response = client.post(
        f"{STAFF}/reports/{submitted.pk}/return/", {"comment": "Tjek tallet for el."}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.RETURNED

    # The representative sees the comment, edits and resubmits.
    client.force_login(rep_a)
    page = client.get(f"/my/emissions/reports/{submitted.pk}/").content.decode()
    assert "Tjek tallet for el." in page
    client.post(f"/my/emissions/reports/{submitted.pk}/", form_data(submitted, value="145"))
    submitted.refresh_from_db()
    client.post(f"/my/emissions/reports/{submitted.pk}/submit/", {"version": submitted.version})
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.SUBMITTED
    assert statuses(submitted)[0].value == Decimal("145")


def test_only_a_submitted_report_can_be_approved_or_sent_back(client, staff_x, report):
    client.force_login(staff_x)
    response = client.post(f"{STAFF}/reports/{report.pk}/approve/", follow=True)
    assert "Kun en indsendt rapport kan godkendes." in messages_of(response)
    response = client.post(
        f"{STAFF}/reports/{report.pk}/return/", {"comment": "Ret det"}, follow=True
    )
    assert "Kun en indsendt rapport kan sendes tilbage." in messages_of(response)
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


def test_an_extension_must_be_later_and_earns_fresh_reminders(
    client, staff_x, report, django_capture_on_commit_callbacks
):
    reporting.reminders_send(today=days(16))  # opened + 14 days
    assert set(report.reminders.values_list("kind", flat=True)) == {"opened", "14_days"}
    client.force_login(staff_x)
    for until in (DEADLINE, days(10)):
        response = client.post(f"{STAFF}/reports/{report.pk}/extend/", {"until": until.isoformat()})
        assert response.status_code == 200
        assert "Den nye frist skal ligge efter den nuværende" in response.content.decode()
    report.refresh_from_db()
    assert report.extended_deadline is None

    response = client.post(f"{STAFF}/reports/{report.pk}/extend/", {"until": days(60)})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.deadline == days(60)
    assert set(report.reminders.values_list("kind", flat=True)) == {"opened"}
    page = client.get(f"{STAFF}/rounds/{report.round_id}/").content.decode()
    assert "(forlænget)" in page
    # The 14-day reminder comes again, before the new deadline.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # mails leave via the outbox
        assert reporting.reminders_send(today=days(46)) == 1
    assert "Påmindelse" in mail.outbox[0].subject


def test_after_the_round_closed_nothing_is_saved_or_submitted(
    client, staff_x, rep_a, report, company_a
):
    climate_accounts(company_a)
    fill_in(report)
    report.refresh_from_db()
    client.force_login(staff_x)
    response = client.post(f"{STAFF}/rounds/{report.round_id}/close/", follow=True)
    assert f"Indberetningsrunden for {YEAR} er lukket." in messages_of(response)

    client.force_login(rep_a)
    response = client.post(
        f"/my/emissions/reports/{report.pk}/submit/", {"version": report.version}, follow=True
    )
    assert "Indberetningsrunden er lukket; rapporten kan ikke længere ændres." in messages_of(
        response
    )
    response = client.post(
        f"/my/emissions/reports/{report.pk}/", form_data(report, narrative="For sent")
    )
    assert response.status_code == 200
    assert "Indberetningsrunden er lukket" in response.content.decode()
    assert "For sent" in response.content.decode()  # the input is kept
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    assert report.narrative == "Vi skiftede til varmepumper."
    with pytest.raises(ValidationError):
        reporting.report_submit(report=report, by=rep_a)
    with pytest.raises(ValidationError):
        reporting.round_close(reporting_round=report.round, by=staff_x)  # already closed


# --- Two people, one report ------------------------------------------------------------------


def test_a_save_from_a_stale_form_is_refused_and_keeps_the_input(client, rep_a, report):
    colleague = RepresentationFactory(company=report.company).user
    stale = form_data(report, narrative="Min version af året")
    client.force_login(colleague)
    client.post(f"/my/emissions/reports/{report.pk}/", form_data(report, narrative="Kollegaens"))
    report.refresh_from_db()
    assert report.narrative == "Kollegaens"

    client.force_login(rep_a)
    response = client.post(f"/my/emissions/reports/{report.pk}/", stale)
    assert response.status_code == 409
    body = response.content.decode()
    assert "En anden har gemt ændringer, efter du åbnede siden." in body
    assert "Min version af året" in body  # their input, still on the form
    assert "Kollegaens" in body  # and what is saved now, to compare
    report.refresh_from_db()
    assert report.narrative == "Kollegaens"

    # Saving again from the refreshed form is a deliberate overwrite, and works.
    again = {**stale, "version": response.context["form"]["version"].value()}
    client.post(f"/my/emissions/reports/{report.pk}/", again)
    report.refresh_from_db()
    assert report.narrative == "Min version af året"


def test_a_submission_from_a_stale_preview_is_refused(client, rep_a, report, company_a):
    climate_accounts(company_a)
    fill_in(report)
    seen = Report.objects.get(pk=report.pk).version
    fill_in(report, narrative="Ændret imens")
    client.force_login(rep_a)
    response = client.post(
        f"/my/emissions/reports/{report.pk}/submit/", {"version": seen}, follow=True
    )
    assert "Nogen har ændret rapporten, efter du åbnede gennemsynet." in messages_of(response)[0]
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


# --- An approved report never changes -----------------------------------------------------------


def test_an_approved_report_refuses_every_change(client, staff_x, rep_a, submitted):
    approved = reporting.report_approve(report=submitted, by=staff_x)
    approved.narrative = "Omskrevet"
    with pytest.raises(ImmutableError):
        approved.save()
    with pytest.raises(ImmutableError):
        Report.objects.get(pk=approved.pk).delete()
    status = PledgeStatus.objects.filter(report=approved).first()
    status.note = "Ændret"
    with pytest.raises(ImmutableError):
        status.save()
    with pytest.raises(ValidationError):
        reporting.report_extend(report=approved, by=staff_x, until=days(90))

    # Through the forms: the representative's save and staff's send-back are refused.
    client.force_login(rep_a)
    response = client.post(
        f"/my/emissions/reports/{approved.pk}/", form_data(approved, narrative="Omskrevet")
    )
    assert "Rapporten er indsendt og kan ikke længere ændres." in response.content.decode()
    client.force_login(staff_x)
    response = client.post(
        f"{STAFF}/reports/{approved.pk}/return/", {"comment": "Ret"}, follow=True
    )
    assert "Kun en indsendt rapport kan sendes tilbage." in messages_of(response)
    response = client.post(
        f"{STAFF}/reports/{approved.pk}/extend/", {"until": days(90)}, follow=True
    )
    assert "Rapporten er allerede godkendt." in messages_of(response)
    approved.refresh_from_db()
    assert approved.status == Report.Status.APPROVED
    assert approved.narrative == "Vi skiftede til varmepumper."
    # And the representative's page shows it read-only.
    client.force_login(rep_a)
    page = client.get(f"/my/emissions/reports/{approved.pk}/")
    assert "form" not in page.context or page.context.get("form") is None
    assert "Rapporten er godkendt og offentliggjort." in page.content.decode()


# --- Who may see what ----------------------------------------------------------------------------


def test_only_the_companys_representatives_reach_its_report(
    client, report, rep_b, staff_x, platform_admin
):
    for user in (rep_b, staff_x, platform_admin):
        client.force_login(user)
        for suffix in ("", "preview/"):
            assert client.get(f"/my/emissions/reports/{report.pk}/{suffix}").status_code == 404
        response = client.post(
            f"/my/emissions/reports/{report.pk}/submit/", {"version": report.version}
        )
        assert response.status_code == 404


def test_staff_of_another_alliance_never_reach_the_round_or_report(client, report, staff_y, rep_a):
    client.force_login(staff_y)
    # Under their own alliance's address the objects of Aalborg do not exist.
    assert client.get(f"/aarhus/staff/emissions/rounds/{report.round_id}/").status_code == 404
    assert client.get(f"/aarhus/staff/emissions/reports/{report.pk}/").status_code == 404
    assert client.post(f"/aarhus/staff/emissions/reports/{report.pk}/approve/").status_code == 404
    # Under Aalborg's address they are not staff.
    assert client.get(f"{STAFF}/rounds/").status_code == 403
    client.force_login(rep_a)
    assert client.get(f"{STAFF}/reports/{report.pk}/").status_code == 403


# --- Reminders ---------------------------------------------------------------------------------


def sent_kinds(report):
    return sorted(report.reminders.values_list("kind", flat=True))


def test_reminders_go_out_14_and_3_days_before_and_when_overdue_each_once(report, rep_a):
    deadline = report.deadline
    schedule = [
        (TODAY, 1, ["opened"]),
        (TODAY, 0, ["opened"]),  # a second run the same day sends nothing
        (deadline - datetime.timedelta(days=15), 0, ["opened"]),
        (deadline - datetime.timedelta(days=14), 1, ["14_days", "opened"]),
        (deadline - datetime.timedelta(days=13), 0, ["14_days", "opened"]),
        (deadline - datetime.timedelta(days=3), 1, ["14_days", "3_days", "opened"]),
        (deadline, 0, ["14_days", "3_days", "opened"]),
        (deadline + datetime.timedelta(days=1), 1, ["14_days", "3_days", "opened", "overdue"]),
        (deadline + datetime.timedelta(days=9), 0, ["14_days", "3_days", "opened", "overdue"]),
    ]
    for today, count, kinds in schedule:
        mail.outbox.clear()
        assert send_reporting_reminders.delay(today.isoformat()).get() == count, today
        assert sent_kinds(report) == kinds, today
    overdue = reporting.reminder_message(report, "overdue", rep_a)
    assert overdue.subject == f"Forsinket: rapporten for {YEAR} fra Alfa A/S"


def test_a_submitted_report_and_a_closed_round_get_no_reminders(submitted, staff_x):
    assert reporting.reminders_send(today=days(29)) == 0
    other = reporting.round_open(
        alliance=submitted.round.alliance, year=YEAR - 1, deadline=days(5), by=staff_x
    )
    reporting.round_close(reporting_round=other, by=staff_x)
    assert reporting.reminders_send(today=days(40)) == 0


def test_a_short_deadline_sends_the_opening_mail_without_an_extra_14_day_one(
    alliance, staff_x, pledges, rep_a
):
    reporting.round_open(alliance=alliance, year=YEAR, deadline=days(10), by=staff_x)
    assert reporting.reminders_send(today=TODAY) == 1
    assert reporting.reminders_send(today=days(1)) == 0
    assert reporting.reminders_send(today=days(7)) == 1  # 3 days left
    assert "3_days" in ReportReminder.objects.values_list("kind", flat=True)


def test_reminders_are_written_in_each_representatives_language(
    report, rep_a, django_capture_on_commit_callbacks
):
    rep_a.language = "en"
    rep_a.save()
    with django_capture_on_commit_callbacks(execute=True):  # mails leave via the outbox
        reporting.reminders_send(today=TODAY)  # the round is open
        reporting.reminders_send(today=days(16))  # 14 days left
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "Dear" in message.body and "Kære" not in message.body
    assert mail.outbox[1].subject.startswith(f"Reminder: the report for {YEAR} is due")
    with translation.override("da"):
        danish = reporting.reminder_message(report, "14_days", UserFactory(language="da"))
    assert danish.subject.startswith(f"Påmindelse: rapporten for {YEAR} skal")
    assert "/my/emissions/reports/" in danish.body and "/en/" not in danish.body


def test_claiming_a_reminder_succeeds_once(report):
    assert reporting.claim_reminder(report, "14_days", TODAY)
    assert not reporting.claim_reminder(report, "14_days", TODAY)


# --- Follow-up -------------------------------------------------------------------------------


def test_a_member_that_missed_two_rounds_is_flagged_for_follow_up(
    client, alliance, staff_x, company_a, pledges
):
    diligent = MembershipFactory(
        alliance=alliance, company=CompanyFactory(legal_name="Flid")
    ).company
    for year in (YEAR - 2, YEAR - 1):
        old = reporting.round_open(alliance=alliance, year=year, deadline=days(5), by=staff_x)
        Report.objects.filter(round=old, company=diligent).update(status=Report.Status.APPROVED)
        reporting.round_close(reporting_round=old, by=staff_x)
    assert list(reporting.members_to_follow_up(alliance)) == [company_a]
    current = reporting.round_open(alliance=alliance, year=YEAR, deadline=days(5), by=staff_x)

    client.force_login(staff_x)
    page = client.get(f"{STAFF}/rounds/{current.pk}/").content.decode()
    assert page.count("Skal følges op: har misset to runder") == 1
    listing = client.get(f"{STAFF}/rounds/").content.decode()
    assert "misset 2 runder" in listing and "Alfa A/S" in listing


def test_the_round_page_filters_by_status_and_overdue(client, staff_x, alliance, report):
    late = MembershipFactory(alliance=alliance, company=CompanyFactory(legal_name="Sen")).company
    late_report = Report.objects.create(round=report.round, company=late)
    Report.objects.filter(pk=late_report.pk).update(extended_deadline=days(-1))
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    client.force_login(staff_x)
    url = f"{STAFF}/rounds/{report.round_id}/"

    def companies(query):
        return [r.company.legal_name for r, _ in client.get(url + query).context["rows"]]

    assert companies("") == ["Alfa A/S", "Sen"]
    assert companies("?status=submitted") == ["Alfa A/S"]
    assert companies("?status=draft") == ["Sen"]
    assert companies("?status=overdue") == ["Sen"]
    assert companies("?status=nonsense") == ["Alfa A/S", "Sen"]


# --- Query counts --------------------------------------------------------------------------------

# Session, user, second factor and the staff roles (with their alliances, shared by the
# permission check and the menu) are 3–4 of each. Each includes the task count in the menu.
ROUND_QUERIES = 9
EDIT_QUERIES, PREVIEW_QUERIES, REVIEW_QUERIES = 7, 13, 10


def _members(alliance, n):
    for i in range(n):
        company = CompanyFactory(legal_name=f"Medlem {i:02d}")
        MembershipFactory(alliance=alliance, company=company)


def test_the_round_page_costs_the_same_for_3_and_30_companies(
    client, staff_x, alliance, django_assert_num_queries
):
    client.force_login(staff_x)
    counts = []
    for year, n in ((YEAR - 1, 3), (YEAR, 30)):
        Report.objects.all().delete()
        _members(alliance, n - alliance.memberships.count())
        reporting_round = reporting.round_open(
            alliance=alliance, year=year, deadline=DEADLINE, by=staff_x
        )
        assert reporting_round.reports.count() == n
        with CaptureQueriesContext(connection) as context:
            response = client.get(f"{STAFF}/rounds/{reporting_round.pk}/")
        assert response.status_code == 200
        counts.append(len(context))
    assert counts == [ROUND_QUERIES, ROUND_QUERIES]
    bump_private_version()  # as after a write: the staff roles are read afresh
    with django_assert_num_queries(ROUND_QUERIES):
        client.get(f"{STAFF}/rounds/{reporting_round.pk}/?status=draft")


def test_the_report_pages_have_a_fixed_number_of_queries(
    client, staff_x, rep_a, report, company_a, django_assert_num_queries
):
    climate_accounts(company_a)
    fill_in(report)
    client.force_login(rep_a)
    with django_assert_num_queries(EDIT_QUERIES):
        assert client.get(f"/my/emissions/reports/{report.pk}/").status_code == 200
    bump_private_version()  # as after a write: the roles are read afresh
    with django_assert_num_queries(PREVIEW_QUERIES):
        assert client.get(f"/my/emissions/reports/{report.pk}/preview/").status_code == 200
    reporting.report_submit(report=report, by=rep_a)
    client.force_login(staff_x)
    with django_assert_num_queries(REVIEW_QUERIES):
        assert client.get(f"{STAFF}/reports/{report.pk}/").status_code == 200


# --- Progress on the company's page ---------------------------------------------------------------


def test_the_company_page_shows_progress_against_the_pledges(
    client, staff_x, rep_a, submitted, company_a
):
    reporting.report_approve(report=submitted, by=staff_x)
    client.force_login(rep_a)
    page = client.get(f"/my/companies/{company_a.pk}/").content.decode()
    assert f"Rapporten for {YEAR} er godkendt af Klimaalliancen Aalborg." in page
    assert "Fremdrift på tilsagnene" in page
    # 140 t in YEAR against the line from 200 t (2019) to 100 t (2030): 145,45 expected.
    assert f"140 ({YEAR})" in page and "145,45" in page and "på sporet" in page
    assert "i gang: Halvvejs" in page  # the milestone's status and note


def test_the_pages_speak_english_under_en(client, rep_a, staff_x, report):
    client.force_login(rep_a)
    page = client.get(f"/en/my/emissions/reports/{report.pk}/").content.decode()
    assert f"Report for {YEAR}" in page and "The year in brief" in page
    assert "Indberet" not in page and "Året i korte træk" not in page
    client.force_login(staff_x)
    page = client.get(f"/en{STAFF}/rounds/{report.round_id}/").content.decode()
    assert f"Reporting round {YEAR}" in page and "0 of 1 companies have submitted" in page


def test_the_admin_shows_an_approved_report_read_only_and_never_deletes_it(
    client, platform_admin, alliance, company_a
):
    reporting_round = ReportingRound.objects.create(alliance=alliance, year=YEAR)
    approved = Report.objects.create(
        round=reporting_round, company=company_a, status=Report.Status.APPROVED, narrative="Godt år"
    )
    client.force_login(platform_admin)
    url = f"/admin/emissions/report/{approved.pk}"
    page = client.get(f"{url}/change/")
    assert page.status_code == 200
    assert 'name="narrative"' not in page.content.decode()  # view only
    assert client.post(f"{url}/change/", {"narrative": "Ændret"}).status_code == 403
    assert client.post(f"{url}/delete/", {"post": "yes"}).status_code == 403
    approved.refresh_from_db()
    assert approved.narrative == "Godt år"
