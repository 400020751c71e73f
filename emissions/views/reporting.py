"""The yearly reporting round: staff pages under /<alliance>/staff/emissions/rounds/ and
/reports/, the representative's report under /my/emissions/reports/.

Staff reach rounds and reports only through `_round` and `_staff_report` (scoped to the
request's alliance); a representative reaches a report only through `_own_report` (scoped to
the companies they represent; 404 for anyone else). The rules live in `emissions.reporting`;
these views translate its refusals into messages and keep the user's input on the form.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import access
from klimaalliance import outbox
from klimaalliance.permissions import alliance_staff_required

from .. import reporting
from ..models import Inventory, Report, ReportingRound
from ..reporting_forms import ExtensionForm, ReportForm, ReturnForm, RoundOpenForm
from ..services import StaleError

Status = Report.Status
OVERDUE = "overdue"


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Staff: rounds ---------------------------------------------------------------------------


def _round(request, pk) -> ReportingRound:
    """The round `pk` of the request's alliance, or 404."""
    return get_object_or_404(ReportingRound, pk=pk, alliance=request.alliance)


@require_GET
@alliance_staff_required
def round_list(request):
    alliance = request.alliance
    rounds = (
        ReportingRound.objects.filter(alliance=alliance)
        .annotate(
            n_reports=Count("reports"),
            n_submitted=Count(
                "reports", filter=Q(reports__status__in=[Status.SUBMITTED, Status.APPROVED])
            ),
            n_approved=Count("reports", filter=Q(reports__status=Status.APPROVED)),
        )
        .order_by("-year")
    )
    context = {
        "alliance": alliance,
        "rounds": rounds,
        "follow_up": reporting.members_to_follow_up(alliance).order_by("legal_name"),
    }
    return render(request, "emissions/round_list.html", context)


@require_http_methods(["GET", "POST"])
@alliance_staff_required
def round_open(request):
    alliance = request.alliance
    form = RoundOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reporting_round = reporting.round_open(
                alliance=alliance,
                year=form.cleaned_data["year"],
                deadline=form.cleaned_data["deadline"],
                by=request.user,
                allow_unfinished_year=form.cleaned_data["allow_unfinished_year"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "The reporting round for %(year)s is open. %(count)s companies have been "
                    "asked to report."
                )
                % {"year": reporting_round.year, "count": reporting_round.reports.count()},
            )
            if reporting.round_mails_waiting():
                messages.warning(request, outbox.QUEUED_NOTICE)
            return redirect("emissions:round-detail", alliance.slug, reporting_round.pk)
    return render(request, "emissions/round_form.html", {"alliance": alliance, "form": form})


FILTERS = [*Status.choices, (OVERDUE, gettext_lazy("overdue"))]


@require_GET
@alliance_staff_required
def round_detail(request, pk):
    """Completion per company, filterable by status; members that missed two rounds are
    flagged for follow-up."""
    alliance = request.alliance
    reporting_round = _round(request, pk)
    counts = reporting.completion_counts(reporting_round)
    reports = reporting_round.reports.select_related("company").order_by(
        "company__legal_name", "pk"
    )
    today = timezone.localdate()
    overdue = Q(status__in=reporting.OPEN_STATUSES) & (
        Q(extended_deadline__lt=today)
        | Q(extended_deadline__isnull=True, round__deadline__lt=today)
    )
    chosen = request.GET.get("status", "")
    if chosen == OVERDUE:
        reports = reports.filter(overdue)
    elif chosen in Status.values:
        reports = reports.filter(status=chosen)
    else:
        chosen = ""
    follow_up = set(reporting.members_to_follow_up(alliance).values_list("pk", flat=True))
    rows = []
    for report in reports:
        report.round = reporting_round  # one round for all: no query per row
        rows.append((report, report.company_id in follow_up))
    context = {
        "alliance": alliance,
        "round": reporting_round,
        "rows": rows,
        "chosen": chosen,
        "total": sum(counts.values()),
        "filters": [
            (value, label, counts.get(value, 0) if value != OVERDUE else None)
            for value, label in FILTERS
        ],
        "done": counts.get(Status.SUBMITTED, 0) + counts.get(Status.APPROVED, 0),
    }
    return render(request, "emissions/round_detail.html", context)


@require_POST
@alliance_staff_required
def round_close(request, pk):
    reporting_round = _round(request, pk)
    try:
        reporting.round_close(reporting_round=reporting_round, by=request.user)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(
            request,
            _("The reporting round for %(year)s is closed.") % {"year": reporting_round.year},
        )
    return redirect("emissions:round-detail", request.alliance.slug, reporting_round.pk)


# --- Staff: one report -----------------------------------------------------------------------


def _staff_report(request, pk) -> Report:
    """The report `pk` in one of the request's alliance's rounds, or 404."""
    return get_object_or_404(
        Report.objects.select_related("round__alliance", "company", "submitted_by", "reviewed_by"),
        pk=pk,
        round__alliance=request.alliance,
    )


def _review_page(request, report, *, return_form=None, extension_form=None, status=200):
    context = {
        **reporting.report_body(report),
        "alliance": request.alliance,
        "report": report,
        "return_form": return_form or ReturnForm(),
        "extension_form": extension_form
        or ExtensionForm(initial={"until": report.deadline + datetime.timedelta(days=14)}),
    }
    return render(request, "emissions/report_review.html", context, status=status)


def _to_review(request, report):
    return redirect("emissions:report-review", request.alliance.slug, report.pk)


@require_GET
@alliance_staff_required
def report_review(request, pk):
    return _review_page(request, _staff_report(request, pk))


@require_POST
@alliance_staff_required
def report_approve(request, pk):
    report = _staff_report(request, pk)
    try:
        reporting.report_approve(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(
            request,
            _("The report of %(company)s for %(year)s is approved.")
            % {"company": report.company.name, "year": report.round.year},
        )
    return _to_review(request, report)


@require_POST
@alliance_staff_required
def report_return(request, pk):
    report = _staff_report(request, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            reporting.report_return(
                report=report, by=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # refused whatever the comment says
                messages.error(request, _messages_of(error))
                return _to_review(request, report)
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The report has been sent back to %(company)s with your comment.")
                % {"company": report.company.name},
            )
            return _to_review(request, report)
    return _review_page(request, report, return_form=form)


@require_POST
@alliance_staff_required
def report_extend(request, pk):
    report = _staff_report(request, pk)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            reporting.report_extend(
                report=report, by=request.user, until=form.cleaned_data["until"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # refused whatever the date
                messages.error(request, _messages_of(error))
                return _to_review(request, report)
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(company)s now has until %(date)s.")
                % {"company": report.company.name, "date": date_format(form.cleaned_data["until"])},
            )
            return _to_review(request, report)
    return _review_page(request, report, extension_form=form)


# --- The representative's report -------------------------------------------------------------


def _own_report(request, pk) -> Report:
    """The report `pk` if the signed-in user represents its company; 404 otherwise."""
    return get_object_or_404(
        Report.objects.select_related("round__alliance", "company"),
        pk=pk,
        company__in=access.represented_companies(request.user),
    )


def _report_form(report, data=None):
    statuses = report.pledge_statuses.select_related("pledge").order_by(
        "pledge__agreement", "pledge__order", "pledge__pk"
    )
    inventory = Inventory.objects.filter(company=report.company_id, year=report.round.year).first()
    return ReportForm(data, report=report, statuses=statuses, inventory=inventory)


def _edit_page(request, report, form, *, stale=False, status=200):
    context = {
        **(reporting.report_body(report) if stale else {}),
        "report": report,
        "company": report.company,
        "form": form,
        "stale": stale,
    }
    return render(request, "emissions/report_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def report_edit(request, pk):
    """The report form while the report can change; otherwise the report as submitted."""
    report = _own_report(request, pk)
    if request.method == "GET" and not report.is_editable:
        return _preview_page(request, report, problems=[])
    form = _report_form(report, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reporting.report_save(
                report=report,
                narrative=form.cleaned_data["narrative"].strip(),
                statuses=form.pledge_data(),
                seen_version=form.cleaned_data["version"],
            )
        except StaleError as error:
            # Keep what they typed, but against the version now saved, so that saving
            # again (after comparing) is a deliberate overwrite.
            report.refresh_from_db()
            data = request.POST.copy()
            data["version"] = report.version
            form = _report_form(report, data)
            form.is_valid()
            form.add_error(None, error)
            return _edit_page(request, report, form, stale=True, status=409)
        except ValidationError as error:
            form.add_error(None, error)
            return _edit_page(request, report, form)
        messages.success(request, _("The report has been saved."))
        if "preview" in request.POST:
            return redirect("my-emissions:report-preview", report.pk)
        return redirect("my-emissions:report-edit", report.pk)
    return _edit_page(request, report, form)


def _preview_page(request, report, *, problems=None, status=200):
    context = {
        **reporting.report_body(report),
        "report": report,
        "problems": (
            reporting.missing_for_submission(report)
            if problems is None and report.is_editable
            else problems or []
        ),
    }
    return render(request, "emissions/report_preview.html", context, status=status)


@require_GET
@login_required
def report_preview(request, pk):
    """The report exactly as it will be published, and what still stops submitting it."""
    return _preview_page(request, _own_report(request, pk))


@require_POST
@login_required
def report_submit(request, pk):
    report = _own_report(request, pk)
    version = request.POST.get("version", "")
    try:
        # Without the version the preview showed, the check must still refuse.
        seen = int(version) if version.isdigit() else -1
        reporting.report_submit(report=report, by=request.user, seen_version=seen)
    except StaleError:
        messages.error(
            request,
            _(
                "Someone changed the report after you opened the preview. Read it again "
                "before you submit it."
            ),
        )
        return redirect("my-emissions:report-preview", report.pk)
    except reporting.IncompleteError as error:
        return _preview_page(request, report, problems=error.messages)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
        return redirect("my-emissions:report-edit", report.pk)
    messages.success(
        request,
        _("Thank you. The report for %(year)s has been submitted to %(alliance)s.")
        % {"year": report.round.year, "alliance": report.round.alliance.name},
    )
    return redirect("my-emissions:report-edit", report.pk)
