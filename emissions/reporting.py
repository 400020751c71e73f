"""The yearly reporting round: every rule about opening, reporting, reviewing and reminding.

Staff open a round for a finished year; every company that was an active member in that
year gets a report to fill in and an e-mail, and a company that becomes an active member
while the round is open joins it with its own deadline. A report first submitted after its
deadline is marked late.

The representative keeps the year's climate account up to date, states each pledge and
writes a short narrative, previews and submits; staff approve or send back. Reminders go out
14 and 3 days before the deadline and when overdue, each at most once per report.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from companies import access
from klimaalliance import outbox
from klimaalliance.mail import queue_mail, render_mail
from partnerships.models import Agreement, Pledge

from . import notifications, summaries
from .models import Inventory, PledgeStatus, Report, ReportingRound, ReportReminder
from .services import check_version

Status = Report.Status
Kind = ReportReminder.Kind
OPEN_STATUSES = (Status.DRAFT, Status.RETURNED)
# Reminders before the deadline, from the earliest to the most urgent.
REMINDER_DAYS = {Kind.DAYS_14: 14, Kind.DAYS_3: 3}
REMINDERS_TASK = "emissions.tasks.send_reporting_reminders"


class IncompleteError(ValidationError):
    """The report cannot be submitted yet; `messages` names every missing piece."""


def reportable_pledges(company, alliance):
    """The pledges of the company's active agreement(s) in the alliance."""
    return Pledge.objects.filter(
        agreement__company=company,
        agreement__alliance=alliance,
        agreement__status=Agreement.Status.ACTIVE,
    ).order_by("agreement", "order", "pk")


def _locked(report) -> Report:
    return Report.objects.select_for_update().select_related("round").get(pk=report.pk)


# --- Rounds ---------------------------------------------------------------------------------


@transaction.atomic
def round_open(
    *, alliance, year, deadline, by, allow_unfinished_year: bool = False
) -> ReportingRound:
    """Open the round for `year` and give every company that was a member in that year
    (`access.reporting_companies(alliance, year)`) a report, with a status line for each
    pledge of its active agreements; the opening mails go out after commit.

    Only a finished year, unless staff confirmed (`allow_unfinished_year`) that they want a
    round for a year that is not over yet."""
    today = timezone.localdate()
    if year >= today.year and not allow_unfinished_year:
        raise ValidationError(
            {
                "year": _(
                    "%(year)s is not over yet, so its figures are not complete. Choose a "
                    "finished year, or confirm below that you want to open the round anyway."
                )
                % {"year": year}
            },
            code="unfinished_year",
        )
    if deadline <= today:
        raise ValidationError({"deadline": _("The deadline must be after today.")})
    if ReportingRound.objects.filter(alliance=alliance, year=year).exists():
        raise ValidationError(
            {"year": _("A reporting round for %(year)s already exists.") % {"year": year}}
        )
    reporting_round = ReportingRound(alliance=alliance, year=year, deadline=deadline, opened_by=by)
    reporting_round.full_clean()
    try:
        with transaction.atomic():
            reporting_round.save()
    except IntegrityError as error:  # a concurrent request won the race
        raise ValidationError(_("A reporting round for that year already exists.")) from error
    members = access.reporting_companies(alliance, year=year)
    reports = Report.objects.bulk_create(
        Report(round=reporting_round, company=company) for company in members
    )
    _add_pledge_statuses(alliance, reports)
    outbox.enqueue(REMINDERS_TASK)
    return reporting_round


def _add_pledge_statuses(alliance, reports):
    """A status line on each report for every pledge of its company's active agreements."""
    report_of = {report.company_id: report for report in reports}
    pledges = Pledge.objects.filter(
        agreement__alliance=alliance,
        agreement__status=Agreement.Status.ACTIVE,
        agreement__company__in=list(report_of),
    ).values_list("pk", "agreement__company_id")
    PledgeStatus.objects.bulk_create(
        PledgeStatus(report=report_of[company_id], pledge_id=pledge_id)
        for pledge_id, company_id in pledges
    )


# A company that joins while a round is open gets at least this long to report.
LATE_JOINER_DAYS = 30


@transaction.atomic
def rounds_join(*, alliance, company) -> list[Report]:
    """Give a company that became an active member a report in each of the alliance's open
    rounds it has none in yet, and queue the rounds' opening mail to its representatives.

    Its own deadline is the round's, or `LATE_JOINER_DAYS` from today when the round's is
    sooner; staff may extend it on the report's page. Idempotent: a company that is
    reactivated keeps the reports it has."""
    today = timezone.localdate()
    rounds = ReportingRound.objects.filter(
        alliance=alliance, status=ReportingRound.Status.OPEN
    ).exclude(reports__company=company)
    own_deadline = today + datetime.timedelta(days=LATE_JOINER_DAYS)
    reports = Report.objects.bulk_create(
        Report(
            round=reporting_round,
            company=company,
            extended_deadline=own_deadline if reporting_round.deadline < own_deadline else None,
        )
        for reporting_round in rounds
    )
    if reports:
        _add_pledge_statuses(alliance, reports)
        outbox.enqueue(REMINDERS_TASK)  # the opening mail, naming the company's deadline
    return reports


def on_membership_activated(sender, *, membership, **kwargs):
    """Receiver of `companies.signals.membership_activated` (connected in apps.py)."""
    rounds_join(alliance=membership.alliance, company=membership.company)


def round_mails_waiting() -> bool:
    """True while a reminder run (the opening mails) waits for the background service."""
    return outbox.waiting_for_broker(REMINDERS_TASK)


@transaction.atomic
def round_close(*, reporting_round, by) -> ReportingRound:
    """Close the round: nothing more can be submitted; submitted reports can still be
    approved."""
    closed = ReportingRound.objects.filter(
        pk=reporting_round.pk, status=ReportingRound.Status.OPEN
    ).update(status=ReportingRound.Status.CLOSED, closed_at=timezone.now())
    if not closed:
        raise ValidationError(_("The reporting round is already closed."))
    reporting_round.refresh_from_db()
    return reporting_round


# --- Reports --------------------------------------------------------------------------------


def _require_editable(report):
    if not report.round.is_open:
        raise ValidationError(
            _("The reporting round is closed; the report can no longer change."), code="closed"
        )
    if report.status not in OPEN_STATUSES:
        raise ValidationError(
            _("The report has been submitted and can no longer change."), code="submitted"
        )


@transaction.atomic
def report_save(*, report, narrative, statuses, seen_version=None) -> Report:
    """Save the narrative and the pledge statuses: `{pledge_status_id: (value, milestone,
    note)}`. Refused if someone else saved since `seen_version` (`StaleError`), or if the
    report can no longer change; then nothing is saved."""
    report = _locked(report)
    check_version(report, seen_version)
    _require_editable(report)
    for status in report.pledge_statuses.select_related("pledge"):
        if status.pk not in statuses:
            continue
        status.value, status.milestone, status.note = statuses[status.pk]
        if status.pledge.is_milestone:
            status.value = None
        else:
            status.milestone = ""
        status.save()
    report.narrative = narrative
    report.version += 1
    report.save(update_fields=["narrative", "version"])
    return report


def missing_for_submission(report) -> list[str]:
    """What still stops the report from being submitted, in words for the representative."""
    problems = []
    year = report.round.year
    inventory = Inventory.objects.filter(company=report.company_id, year=year).first()
    if inventory is None or not inventory.lines.exists():
        problems.append(_("Enter the climate account for %(year)s.") % {"year": year})
    if not Inventory.objects.filter(company=report.company_id, is_baseline=True).exists():
        problems.append(_("Mark one year's climate account as the baseline."))
    for status in report.pledge_statuses.select_related("pledge"):
        if status.pledge.is_milestone and not status.milestone:
            problems.append(_("Give the status of “%(pledge)s”.") % {"pledge": status.pledge})
        if not status.pledge.is_milestone and status.value is None:
            problems.append(
                _("Give this year's value for “%(pledge)s”.") % {"pledge": status.pledge}
            )
    if not report.narrative.strip():
        problems.append(_("Write a few lines about the year."))
    return problems


@transaction.atomic
def report_submit(*, report, by, seen_version=None) -> Report:
    """Hand the report to staff. Refused, with every missing piece named, unless it is
    complete; refused once the round is closed."""
    report = _locked(report)
    check_version(report, seen_version)
    _require_editable(report)
    problems = missing_for_submission(report)
    if problems:
        raise IncompleteError(problems)
    if report.status == Status.DRAFT:  # a report sent back keeps its first verdict
        report.submitted_late = timezone.localdate() > report.deadline
    report.status = Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = by
    report.version += 1
    report.save()
    notifications.report_submitted(report)
    return report


@transaction.atomic
def report_approve(*, report, by) -> Report:
    """Approve a submitted report; from now on it and the year's figures never change.
    Its PDF is rendered after commit."""
    report = _locked(report)
    if report.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be approved."))
    report.status = Status.APPROVED
    report.reviewed_at = timezone.now()
    report.reviewed_by = by
    report.review_comment = ""
    report.version += 1
    report.save()
    summaries.report_approved(report)
    outbox.enqueue("emissions.tasks.render_report_pdf", report.pk)
    notifications.report_reviewed(report)
    return report


@transaction.atomic
def report_return(*, report, by, comment) -> Report:
    """Send a submitted report back to the company with a comment saying what to change."""
    report = _locked(report)
    if report.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be sent back."))
    if not report.round.is_open:
        # The company could not change it any more: approve it, or leave it submitted.
        raise ValidationError(
            _("The reporting round is closed, so the company could not change the report.")
        )
    if not comment.strip():
        raise ValidationError({"comment": _("Tell the company what to change.")})
    report.status = Status.RETURNED
    report.reviewed_at = timezone.now()
    report.reviewed_by = by
    report.review_comment = comment.strip()
    report.version += 1
    report.save()
    notifications.report_reviewed(report)
    return report


@transaction.atomic
def report_extend(*, report, by, until: datetime.date) -> Report:
    """Give one company a later deadline; it gets fresh reminders before the new one."""
    report = _locked(report)
    if report.status == Status.APPROVED:
        raise ValidationError(_("The report is already approved."))
    if not report.round.is_open:
        raise ValidationError(_("The reporting round is closed."))
    if until <= report.deadline:
        raise ValidationError(
            {
                "until": ValidationError(
                    _("The new deadline must be after the current one (%(date)s)."),
                    params={"date": date_format(report.deadline)},
                )
            }
        )
    if until <= timezone.localdate():
        raise ValidationError({"until": _("The new deadline must be after today.")})
    report.extended_deadline = until
    report.version += 1
    report.save(update_fields=["extended_deadline", "version"])
    # An extension earns the member fresh reminders before (and after) the new deadline.
    report.reminders.exclude(kind=Kind.OPENED).delete()
    return report


# --- What the pages and the PDF show ---------------------------------------------------------


def prefill_value(status, inventory) -> Decimal | None:
    """The climate account's figure for a pledge counted in CO2, as a suggestion."""
    metric = (status.pledge.metric or "").lower()
    if status.pledge.is_milestone or inventory is None:
        return None
    if "co2" not in metric and "co₂" not in metric:
        return None
    return inventory.scope_total(status.pledge.scopes).quantize(Decimal("0.01"))


def report_body(report) -> dict:
    """The context of `emissions/_report_body.html`, the report as it is published, in the
    active language.

    The representative's preview, the staff review page and the PDF
    (`emissions.documents.report_context`) build the same context and render the same
    partial, so what is previewed is what is published.
    """
    from .documents import report_context

    return report_context(report, language=translation.get_language())


def current_reports(company):
    """The company's reports in open rounds, for the banner on its page."""
    return (
        Report.objects.filter(company=company, round__status=ReportingRound.Status.OPEN)
        .select_related("round__alliance")
        .order_by("round__deadline")
    )


# --- Reminders and follow-up -----------------------------------------------------------------


def reminder_stage(report, today) -> str | None:
    """The most urgent pre-deadline or overdue reminder whose moment has come on `today`."""
    days_left = (report.deadline - today).days
    if days_left < 0:
        return Kind.OVERDUE
    for kind in (Kind.DAYS_3, Kind.DAYS_14):
        if days_left <= REMINDER_DAYS[kind]:
            return kind
    return None


def reminder_kind(report, today, sent=()) -> str | None:
    """Which reminder the report is due on `today`, given the kinds already `sent`.

    The opening mail comes first; after it, each stage (14 days, 3 days, overdue) once.
    """
    if Kind.OPENED not in sent:
        return Kind.OPENED
    stage = reminder_stage(report, today)
    if stage is not None and stage not in sent:
        return stage
    return None


def reminders_due(today=None):
    """(report, kind) pairs to send now; claiming a pair (`claim_reminder`) sends it once."""
    today = today or timezone.localdate()
    reports = (
        Report.objects.filter(round__status=ReportingRound.Status.OPEN, status__in=OPEN_STATUSES)
        .select_related("round__alliance", "company")
        .prefetch_related("reminders", "company__representatives__user")
    )
    for report in reports:
        kind = reminder_kind(report, today, {r.kind for r in report.reminders.all()})
        if kind:
            yield report, kind


def claim_reminder(report, kind, today=None) -> bool:
    """True for exactly one caller per (report, kind), however many workers ask.

    The opening mail names the deadline, so a reminder whose moment had already come when
    the round opened (a short deadline) is counted as sent with it.
    """
    try:
        with transaction.atomic():
            ReportReminder.objects.create(report=report, kind=kind)
    except IntegrityError:
        return False
    stage = reminder_stage(report, today or timezone.localdate())
    if kind == Kind.OPENED and stage in REMINDER_DAYS:
        covered = [k for k in REMINDER_DAYS if REMINDER_DAYS[k] >= REMINDER_DAYS[stage]]
        ReportReminder.objects.bulk_create(
            [ReportReminder(report=report, kind=k) for k in covered], ignore_conflicts=True
        )
    return True


def reminder_message(report, kind, user) -> EmailMessage:
    """The reminder to one representative, in their own language (plain text)."""
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "report": report,
            "kind": kind,
            "year": report.round.year,
            "alliance": report.round.alliance,
            "company": report.company,
            "deadline": report.deadline,
            "recipient": user,
            "url": settings.SITE_URL + reverse("my-emissions:report-edit", args=[report.pk]),
        }
    rendered = render_mail("report_reminder", context, language=language)
    return EmailMessage(rendered.subject, rendered.text, to=[user.email])


def reminders_send(*, today=None) -> int:
    """Queue a mail to the company's representatives for every report whose next reminder
    is due on `today`; returns the number of mails queued. The reminder is claimed in the
    transaction that queues its mails (klimaalliance.mail), so each goes out once, and a
    mail server that is down delays it instead of losing it. Safe to run as often as wanted.
    """
    today = today or timezone.localdate()
    queued = 0
    for report, kind in reminders_due(today):
        with transaction.atomic():
            if not claim_reminder(report, kind, today):
                continue
            for representation in report.company.representatives.all():
                if representation.user.is_active:
                    message = reminder_message(report, kind, representation.user)
                    queue_mail(to=message.to, subject=message.subject, text=message.body)
                    queued += 1
    return queued


def members_to_follow_up(alliance, misses=2):
    """Active members that did not submit in at least `misses` closed rounds."""
    missed = Q(
        reports__round__alliance=alliance,
        reports__round__status=ReportingRound.Status.CLOSED,
        reports__status__in=OPEN_STATUSES,
    )
    return (
        access.reporting_companies(alliance)
        .annotate(missed_rounds=Count("reports", filter=missed, distinct=True))
        .filter(missed_rounds__gte=misses)
    )


def completion_counts(reporting_round) -> dict:
    """How many of the round's reports are in each status, and how many in all."""
    counts = defaultdict(int)
    for status, n in (
        reporting_round.reports.values_list("status").annotate(n=Count("id")).order_by()
    ):
        counts[status] = n
    return counts
