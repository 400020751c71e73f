"""Progress report PDFs for staff: render a round's approved reports in a batch and follow
its progress bar, download or regenerate any report, and generate the alliance's annual
report. A representative downloads the PDF of their own approved report.

Every file is served through a view that checks who asks (`_staff_report`, `_round`,
`_own_report`); the storage path is never linked to.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from companies import access
from klimaalliance import outbox
from klimaalliance.filenames import file_slug
from klimaalliance.permissions import alliance_staff_required

from .. import documents
from ..models import AllianceReport, Report, ReportBatch, ReportingRound

PAGE_SIZE = 50


def _round(request, pk) -> ReportingRound:
    return get_object_or_404(ReportingRound, pk=pk, alliance=request.alliance)


def _staff_report(request, pk) -> Report:
    return get_object_or_404(
        Report.objects.select_related("round", "company"), pk=pk, round__alliance=request.alliance
    )


def _batch(request, pk) -> ReportBatch:
    return get_object_or_404(
        ReportBatch.objects.select_related("round"), pk=pk, round__alliance=request.alliance
    )


def pdf_response(field_file, filename, *, as_attachment=True):
    """The stored PDF as a download (or shown inline); 404 when it is missing."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type="application/pdf"
    )


def report_filename(report) -> str:
    return f"fremskridtsrapport-{report.round.year}-{file_slug(report.company.name)}.pdf"


# --- The round's PDFs --------------------------------------------------------------------------


def _progress_context(alliance, batch):
    done = documents.batch_done(batch) if batch else 0
    total = batch.total if batch else 0
    return {
        "alliance": alliance,
        "batch": batch,
        "done": done,
        "total": total,
        "percent": round(done * 100 / total) if total else 0,
    }


def _annual_context(alliance, year):
    document = AllianceReport.objects.filter(alliance=alliance, year=year).first()
    return {
        "alliance": alliance,
        "year": year,
        "annual": document,
        "annual_pending": bool(document) and documents.alliance_report_pending(document),
    }


@require_GET
@alliance_staff_required
def round_pdfs(request, pk):
    """The round's approved reports with their PDFs, the latest batch and the annual report."""
    alliance = request.alliance
    reporting_round = _round(request, pk)
    batch = reporting_round.batches.order_by("-started_at").first()
    reports = (
        Report.objects.filter(round=reporting_round, status=Report.Status.APPROVED)
        .select_related("company")
        .order_by("company__legal_name", "pk")
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **_progress_context(alliance, batch),
        **_annual_context(alliance, reporting_round.year),
        "round": reporting_round,
        "page": page,
        "may_start": documents.running_batch(reporting_round) is None,
    }
    return render(request, "emissions/batch_page.html", context)


@require_POST
@alliance_staff_required
def batch_start(request, pk):
    reporting_round = _round(request, pk)
    try:
        batch = documents.batch_start(reporting_round=reporting_round, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if documents.batch_waiting(batch):
            messages.warning(request, outbox.QUEUED_NOTICE)
        else:
            messages.success(
                request,
                _("Rendering %(total)s reports. The progress bar updates by itself.")
                % {"total": batch.total},
            )
    return redirect("emissions:round-pdfs", request.alliance.slug, reporting_round.pk)


@never_cache
@require_GET
@alliance_staff_required
def batch_progress(request, pk):
    """The progress partial that htmx polls every 2 s until the batch is done."""
    batch = _batch(request, pk)
    return render(
        request, "emissions/batch_progress.html", _progress_context(request.alliance, batch)
    )


@require_POST
@alliance_staff_required
def batch_requeue(request, pk):
    """Queue again what a batch has not rendered yet (e.g. after a lost task)."""
    batch = _batch(request, pk)
    count = documents.batch_requeue_missing(batch=batch)
    messages.success(request, _("%(count)s reports were queued again.") % {"count": count})
    if count and documents.batch_waiting(batch):
        messages.warning(request, outbox.QUEUED_NOTICE)
    return redirect("emissions:round-pdfs", request.alliance.slug, batch.round_id)


@require_GET
@alliance_staff_required
def report_pdf(request, pk):
    report = _staff_report(request, pk)
    return pdf_response(report.pdf, report_filename(report))


@require_POST
@alliance_staff_required
def report_pdf_regenerate(request, pk):
    report = _staff_report(request, pk)
    try:
        documents.report_queue_pdf(report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if documents.report_pdf_waiting(report):
            messages.warning(request, outbox.QUEUED_NOTICE)
        else:
            messages.success(
                request,
                _("The PDF of %(company)s is being rendered again.") % {"company": report.company},
            )
    return redirect("emissions:round-pdfs", request.alliance.slug, report.round_id)


# --- The alliance's annual report --------------------------------------------------------------


def _round_of_year(request, year) -> ReportingRound:
    return get_object_or_404(ReportingRound, alliance=request.alliance, year=year)


@require_POST
@alliance_staff_required
def annual_report_generate(request, year):
    """Generate, or regenerate, the annual report of a year the alliance had a round for."""
    reporting_round = _round_of_year(request, year)
    try:
        document = documents.alliance_report_request(
            alliance=request.alliance, year=year, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if documents.alliance_report_waiting(document):
            messages.warning(request, outbox.QUEUED_NOTICE)
        else:
            messages.success(request, _("The annual report is being generated."))
    return redirect("emissions:round-pdfs", request.alliance.slug, reporting_round.pk)


@never_cache
@require_GET
@alliance_staff_required
def annual_report_status(request, year):
    _round_of_year(request, year)
    return render(request, "emissions/batch_annual.html", _annual_context(request.alliance, year))


@require_GET
@alliance_staff_required
def annual_report_pdf(request, year):
    document = get_object_or_404(AllianceReport, alliance=request.alliance, year=year)
    filename = f"aarsrapport-{year}-{request.alliance.slug}.pdf"
    return pdf_response(document.pdf, filename)


# --- The representative's own report -----------------------------------------------------------


@require_GET
@login_required
def my_report_pdf(request, pk):
    """The PDF of the representative's own approved report; 404 for anyone else."""
    report = get_object_or_404(
        Report.objects.select_related("round", "company"),
        pk=pk,
        company__in=access.represented_companies(request.user),
        status=Report.Status.APPROVED,
    )
    return pdf_response(report.pdf, report_filename(report))
