"""Member export and company import for alliance staff (CSV and XLSX)."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from klimaalliance import outbox
from klimaalliance.permissions import alliance_staff_required
from klimaalliance.tabular import FORMATS, SpreadsheetError, download

from ..models import ImportJob
from ..selectors import member_queryset
from ..spreadsheets import (
    ImportFileForm,
    membership_row,
    read_rows,
    validate_rows,
    write_csv,
    write_xlsx,
)
from ..tasks import job_progress

IMPORT_TASK = "companies.tasks.import_companies"

# Beyond this many rows the preview shows rows with errors first and stops there.
PREVIEW_LIMIT = 500


def _spreadsheet_response(rows, fmt, filename, *, with_reference=False):
    if fmt not in FORMATS:
        raise Http404
    content = write_csv(rows) if fmt == "csv" else write_xlsx(rows, with_reference=with_reference)
    return download(content, fmt, filename)


@require_GET
@alliance_staff_required
def member_export(request, fmt):
    """The member list exactly as filtered by the query string, as CSV or XLSX."""
    if fmt not in FORMATS:
        raise Http404
    memberships, _form = member_queryset(request.alliance, request.GET)
    rows = [membership_row(membership) for membership in memberships]
    filename = f"medlemmer-{request.alliance.slug}-{timezone.localdate().isoformat()}"
    return _spreadsheet_response(rows, fmt, filename)


@require_GET
@alliance_staff_required
def import_template(request, fmt):
    """An empty import file: the header row only (XLSX adds a sheet of allowed codes)."""
    return _spreadsheet_response([], fmt, "virksomheder-skabelon", with_reference=True)


@require_http_methods(["GET", "POST"])
@alliance_staff_required
def import_upload(request):
    """Upload a file; a readable one is stored as an ImportJob awaiting confirmation."""
    if request.method != "POST":
        return _render_upload(request, ImportFileForm())
    form = ImportFileForm(request.POST, request.FILES)
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            alliance=request.alliance,
            created_by=request.user,
            file=uploaded,
            original_name=uploaded.name[:255],
            total_rows=len(form.rows),
        )
        return redirect("companies:import-preview", request.alliance.slug, job.pk)
    return _render_upload(request, form, status=400)


def _render_upload(request, form, status=200):
    context = {"form": form, "alliance": request.alliance}
    return render(request, "companies/import_upload.html", context, status=status)


@require_http_methods(["GET", "POST"])
@alliance_staff_required
def import_preview(request, job_id):
    """Every row's errors before import (GET); confirm to queue the import (POST).

    After confirmation the page shows the import's progress and, at the end, its result.
    """
    job = get_object_or_404(ImportJob, pk=job_id, alliance=request.alliance)
    if job.status != ImportJob.Status.PREVIEW:
        return _render_preview(request, job, results=None)
    try:
        results = _validated_rows(job)
    except SpreadsheetError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("companies:import-upload", request.alliance.slug)
    if request.method == "POST":
        return _confirm(request, job, results)
    return _render_preview(request, job, results)


def _validated_rows(job):
    with job.file.open("rb") as handle:
        rows = read_rows(handle, job.original_name)
    return validate_rows(job.alliance, rows)


def _confirm(request, job, results):
    invalid = [result.row for result in results if result.errors]
    if invalid:
        messages.error(
            request,
            _("The import was not started: fix the rows with errors and upload the file again."),
        )
        return _render_preview(request, job, results, status=400)
    # The job's status and its outbox message are saved together: with Redis down the job
    # waits as "queued" and starts when the sweeper sends it, never stuck half-way.
    with transaction.atomic():
        queued = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
            status=ImportJob.Status.QUEUED
        )
        if queued:
            outbox.enqueue(IMPORT_TASK, job.pk)
    if queued and outbox.waiting_for_broker(IMPORT_TASK, job.pk):
        messages.warning(request, outbox.QUEUED_NOTICE)
    return redirect("companies:import-preview", request.alliance.slug, job.pk)


def _render_preview(request, job, results, status=200):
    context = {"job": job, "alliance": request.alliance}
    if results is None:
        context.update(_progress_context(job))
    else:
        invalid = [result for result in results if result.errors]
        shown = results
        if len(results) > PREVIEW_LIMIT:
            shown = (invalid + [result for result in results if result.ok])[:PREVIEW_LIMIT]
        context.update(
            results=shown,
            total_count=len(results),
            invalid_count=len(invalid),
            valid_count=len(results) - len(invalid),
            existing_count=sum(1 for result in results if result.existing and result.ok),
            invalid_rows=[result.row for result in invalid],
        )
    return render(request, "companies/import_preview.html", context, status=status)


def _progress_context(job):
    processed, percent = job_progress(job)
    return {
        "processed": processed,
        "percent": percent,
        "finished": job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED),
    }


@require_GET
@alliance_staff_required
def import_progress(request, job_id):
    """The progress partial the preview page polls while the import runs."""
    job = get_object_or_404(ImportJob, pk=job_id, alliance=request.alliance)
    context = {"job": job, "alliance": request.alliance, **_progress_context(job)}
    return render(request, "companies/_import_progress.html", context)
