"""Progress report PDFs: one per company per approved year, the alliance's annual report,
and the batches that render a whole round.

One function builds each document's context; the same templates serve the HTML preview and
the PDF (rendered inside the document's language, Danish by default). Files are stored at
the report's deterministic, unguessable path (`Report.pdf_token`) and overwritten when
rendered again, so rendering twice — a regenerate button, a task delivered twice after a
worker died — always leaves exactly one file per report. A batch counts its progress from
the reports it has rendered (`Report.pdf_batch`), never from counters a lost task could skew.

Every job is queued through the outbox, by task name, in the transaction of the change that
asks for it (a batch, a regenerate, an annual report request): with Redis down the request
still answers at once, the job waits in the outbox (`*_waiting` says so, for the page) and
runs once when the sweeper sends it. Pressing a button again meanwhile queues nothing twice.
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from companies.industries import Industry
from klimaalliance import outbox
from klimaalliance.pdf import ACCESSIBLE_VARIANT, html_to_pdf

from . import charts, selectors
from .models import AllianceReport, Inventory, Report, ReportBatch
from .models.reporting import alliance_report_path, report_pdf_path
from .progress import pledge_progress

logger = logging.getLogger(__name__)

ZERO = Decimal(0)
# A batch that has not finished after this long may be replaced by a new one.
BATCH_STALE_AFTER = datetime.timedelta(minutes=30)

RENDER_REPORT_TASK = "emissions.tasks.render_report_pdf"
START_BATCH_TASK = "emissions.tasks.start_report_batch"
RENDER_ANNUAL_TASK = "emissions.tasks.render_alliance_report_pdf"


def document_language() -> str:
    """Reports are published in the alliance's language: the portal's default."""
    return settings.LANGUAGE_CODE


def report_to_pdf(html: str) -> bytes:
    """A report as a tagged PDF/UA-1: read by citizens and councils, often with a screen
    reader. Its template gives the title, language, headings, table headers and captions,
    and figures whose text alternative holds the numbers behind the chart."""
    return html_to_pdf(html, variant=ACCESSIBLE_VARIANT)


def company_chart_alt(chart) -> str:
    """The company chart's text alternative: its summary and every year's figures."""
    lines = [chart.summary()]
    for year, scope1, scope2, scope3, total, is_baseline in chart.rows:
        values = {
            "year": year,
            "scope1": charts.number(scope1, 1),
            "scope2": charts.number(scope2, 1),
            "scope3": charts.number(scope3, 1),
            "total": charts.number(total, 1),
        }
        if is_baseline:
            line = _(
                "%(year)s (baseline): scope 1 %(scope1)s t, scope 2 %(scope2)s t, "
                "scope 3 %(scope3)s t, total %(total)s t CO2e."
            )
        else:
            line = _(
                "%(year)s: scope 1 %(scope1)s t, scope 2 %(scope2)s t, scope 3 %(scope3)s t, "
                "total %(total)s t CO2e."
            )
        lines.append(line % values)
    return " ".join(lines)


def alliance_chart_alt(chart) -> str:
    """The alliance chart's text alternative: its summary and every year's total."""
    lines = [chart.summary()]
    for row in chart.years:
        lines.append(
            ngettext(
                "%(year)s: %(total)s t CO2e from %(companies)s company.",
                "%(year)s: %(total)s t CO2e from %(companies)s companies.",
                row.companies,
            )
            % {
                "year": row.year,
                "total": charts.number(row.total_location_t, 1),
                "companies": row.companies,
            }
        )
    return " ".join(lines)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def percent_change(before, after) -> Decimal | None:
    if not before:
        return None
    return (after - before) / before * 100


# --- One company's report ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRow:
    label: str
    location: Decimal
    market: Decimal
    baseline_location: Decimal | None
    baseline_market: Decimal | None
    is_total: bool = False

    @property
    def change_t(self) -> Decimal | None:
        if self.baseline_location is None:
            return None
        return self.location - self.baseline_location

    @property
    def change_percent(self) -> Decimal | None:
        if self.baseline_location is None:
            return None
        return percent_change(self.baseline_location, self.location)

    @property
    def market_change_percent(self) -> Decimal | None:
        if self.baseline_market is None:
            return None
        return percent_change(self.baseline_market, self.market)


def scope_rows(inventory, baseline) -> list[ScopeRow]:
    """Scope 1, 2, 3 and the total, location- and market-based, against the baseline."""

    def pair(name_location, name_market):
        now = (getattr(inventory, name_location), getattr(inventory, name_market))
        if baseline is None:
            return (*now, None, None)
        return (*now, getattr(baseline, name_location), getattr(baseline, name_market))

    return [
        ScopeRow(_("Scope 1"), *pair("scope1_t", "scope1_t")),
        ScopeRow(_("Scope 2"), *pair("scope2_location_t", "scope2_market_t")),
        ScopeRow(_("Scope 3"), *pair("scope3_t", "scope3_t")),
        ScopeRow(_("Total"), *pair("total_location_t", "total_market_t"), is_total=True),
    ]


def report_context(report, *, language=None, for_pdf=False) -> dict:
    """Everything a company's progress report shows, in `language`; `for_pdf`: its chart
    drawn for WeasyPrint (`charts.company_svg`)."""
    language = language or document_language()
    year = report.round.year
    company = report.company
    inventory = Inventory.objects.filter(company=company, year=year).first()
    baseline = Inventory.objects.filter(company=company, is_baseline=True).first()
    statuses = list(report.pledge_statuses.select_related("pledge").order_by("pledge__order"))
    with translation.override(language):
        pledges = [
            {
                "pledge": status.pledge,
                "status": status,
                "progress": None
                if status.pledge.is_milestone
                else pledge_progress(status.pledge, year, status.value),
            }
            for status in statuses
        ]
        chart = charts.company_chart(
            company,
            pledges=[status.pledge for status in statuses],
            approved_only=True,
            until_year=year,
        )
        return {
            "report": report,
            "company": company,
            "alliance": report.round.alliance,
            "year": year,
            "inventory": inventory,
            "baseline": baseline,
            "scope_rows": scope_rows(inventory, baseline) if inventory else [],
            "pledges": pledges,
            "chart": chart,
            "chart_summary": chart.summary(),
            "chart_alt": company_chart_alt(chart),
            "chart_uri": charts.data_uri(charts.company_svg(chart, language, for_pdf=for_pdf)),
            "language": language,
        }


def render_report_html(report, *, language=None) -> str:
    language = language or document_language()
    context = report_context(report, language=language, for_pdf=True)
    with translation.override(language):
        return render_to_string("pdf/report_company.html", context)


def report_pdf(report, *, language=None) -> bytes:
    return report_to_pdf(render_report_html(report, language=language))


def store_file(field_file, name, data: bytes) -> str:
    """Write `data` at exactly `name`, replacing an earlier rendering."""
    storage = field_file.storage
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(data))
    if saved != name:  # never two files for one document
        storage.delete(saved)
        raise OSError(f"could not store the PDF at {name}")
    return saved


def report_pdf_store(report_id: int, batch_id: int | None = None) -> str:
    """Render the approved report's PDF and store it at its own path; returns the name.

    Idempotent: within a batch, a report already rendered by that batch is left alone (a
    task delivered again after its worker died finds it done); otherwise the file is
    rendered again and overwritten in place. Only approved reports get a PDF.
    """
    report = Report.objects.select_related("round__alliance", "company").get(pk=report_id)
    if report.status != Report.Status.APPROVED:
        logger.warning("report %s is not approved: no PDF", report_id)
        return ""
    if batch_id is not None and report.pdf_batch_id == batch_id and report.pdf:
        return report.pdf.name
    data = report_pdf(report)
    name = report_pdf_path(report, "report.pdf")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report_id)
        if batch_id is not None and locked.pdf_batch_id == batch_id and locked.pdf:
            return locked.pdf.name  # a twin of this task finished first
        locked.pdf.name = store_file(locked.pdf, name, data)
        locked.pdf_sha256 = sha256_hex(data)
        locked.pdf_generated_at = timezone.now()
        fields = ["pdf", "pdf_sha256", "pdf_generated_at"]
        if batch_id is not None:
            locked.pdf_batch_id = batch_id
            fields.append("pdf_batch")
        locked.save(update_fields=fields)
    if batch_id is not None:
        batch_finish_if_done(batch_id)
    return name


@transaction.atomic
def report_queue_pdf(*, report) -> None:
    """Render the report's PDF again (the regenerate button), after the commit; pressed
    again while that render still waits for the broker, it queues nothing more."""
    if report.status != Report.Status.APPROVED:
        raise ValidationError(_("Only an approved report has a PDF."))
    outbox.enqueue(RENDER_REPORT_TASK, report.pk, unique=True)


def report_pdf_waiting(report) -> bool:
    """True while the report's regenerate job waits for the background service."""
    return outbox.waiting_for_broker(RENDER_REPORT_TASK, report.pk)


# --- Batches -----------------------------------------------------------------------------------


def batch_reports(batch):
    return Report.objects.filter(round=batch.round, status=Report.Status.APPROVED)


def batch_done(batch) -> int:
    return Report.objects.filter(pdf_batch=batch).count()


def batch_finish_if_done(batch_id: int) -> bool:
    """Mark the batch finished once every report it set out to render is done."""
    done = Report.objects.filter(pdf_batch_id=batch_id).count()
    return bool(
        ReportBatch.objects.filter(pk=batch_id, finished_at__isnull=True, total__lte=done).update(
            finished_at=timezone.now()
        )
    )


def running_batch(reporting_round):
    """The round's unfinished batch that started recently, if any."""
    return (
        ReportBatch.objects.filter(
            round=reporting_round,
            finished_at__isnull=True,
            started_at__gte=timezone.now() - BATCH_STALE_AFTER,
        )
        .order_by("-started_at")
        .first()
    )


def batch_waiting(batch) -> bool:
    """True while the batch's start job waits in the outbox for the background service."""
    return outbox.waiting_for_broker(START_BATCH_TASK, batch.pk)


def _waiting_batch(reporting_round):
    unfinished = ReportBatch.objects.filter(round=reporting_round, finished_at__isnull=True)
    return next((batch for batch in unfinished if batch_waiting(batch)), None)


@transaction.atomic
def batch_start(*, reporting_round, by) -> ReportBatch:
    """Render every approved report of the round: the batch and its start job are saved
    together, and the job fans out one task per report once the broker has it.

    A batch whose start job still waits for the broker is not "running": starting again
    returns that batch (its job is tried again after the commit) instead of refusing, and
    never makes a second one. Refused while a started batch runs, or without reports.
    """
    waiting = _waiting_batch(reporting_round)
    if waiting is not None:
        outbox.enqueue(START_BATCH_TASK, waiting.pk, unique=True)
        return waiting
    if running_batch(reporting_round) is not None:
        raise ValidationError(_("The PDFs of this round are being rendered already."))
    total = Report.objects.filter(round=reporting_round, status=Report.Status.APPROVED).count()
    if not total:
        raise ValidationError(_("The round has no approved reports yet."))
    batch = ReportBatch.objects.create(round=reporting_round, started_by=by, total=total)
    outbox.enqueue(START_BATCH_TASK, batch.pk)
    return batch


def batch_fan_out(batch_id: int, queue_render) -> int:
    """The start job, in the worker: restart the batch's clock (it may have waited in the
    outbox) and queue, through `queue_render(report_id)`, every report the batch has not
    rendered. Running it twice queues nothing that matters twice: each render skips a
    report its batch has rendered. Returns how many were queued."""
    batch = ReportBatch.objects.get(pk=batch_id)
    if batch.finished_at is None:
        ReportBatch.objects.filter(pk=batch_id).update(started_at=timezone.now())
    report_ids = list(batch_reports(batch).exclude(pdf_batch=batch).values_list("pk", flat=True))
    for report_id in report_ids:
        queue_render(report_id)
    batch_finish_if_done(batch_id)
    return len(report_ids)


@transaction.atomic
def batch_requeue_missing(*, batch) -> int:
    """Queue again the reports of the batch that are not rendered yet (e.g. after the
    broker lost a task), through the batch's start job; returns how many. Rendering is
    idempotent, so a report never gets two files."""
    missing = batch_reports(batch).exclude(pdf_batch=batch).count()
    if missing:
        outbox.enqueue(START_BATCH_TASK, batch.pk, unique=True)
    return missing


# --- The alliance's annual report --------------------------------------------------------------


def alliance_report_context(alliance, year, *, language=None) -> dict:
    """The alliance's year: members, sectors, totals, reduction, pledges on track,
    highlights, the chart and a lean row per member."""
    language = language or document_language()
    headline = selectors.headline(alliance, until_year=year)
    rows = list(selectors.company_rows(alliance, until_year=year))
    years = [row for row in selectors.year_totals(alliance) if row.year <= year]
    highlights = (
        Report.objects.filter(
            round__alliance=alliance,
            round__year=year,
            status=Report.Status.APPROVED,
        )
        .exclude(narrative="")
        .select_related("company")
        .order_by("company__legal_name")
    )
    sectors = {}
    for row in rows:
        sector = sectors.setdefault(row.industry, {"members": 0, "latest_t": ZERO})
        sector["members"] += 1
        sector["latest_t"] += row.latest_t or ZERO
    for row in rows:
        row.change_percent = (
            percent_change(row.baseline_t, row.latest_t)
            if row.baseline_t is not None and row.latest_t is not None
            else None
        )
    with translation.override(language):
        chart = charts.alliance_chart(alliance, years=years, baseline_t=headline.baseline_t)
        return {
            "alliance": alliance,
            "year": year,
            "headline": headline,
            "pledges": selectors.pledge_counts(alliance),
            "sectors": sorted(
                ((str(Industry(code).label), values) for code, values in sectors.items()),
                key=lambda item: (-item[1]["members"], item[0]),
            ),
            "highlights": highlights,
            "rows": rows,
            "years": years,
            "chart": chart,
            "chart_summary": chart.summary(),
            "chart_alt": alliance_chart_alt(chart),
            "chart_uri": charts.data_uri(charts.alliance_svg(chart, language, for_pdf=True)),
            "language": language,
            "generated_on": timezone.localdate(),
        }


def render_alliance_report_html(alliance, year, *, language=None) -> str:
    language = language or document_language()
    context = alliance_report_context(alliance, year, language=language)
    with translation.override(language):
        return render_to_string("pdf/report_alliance.html", context)


def alliance_report_pdf_store(alliance_report_id: int) -> str:
    """Render the annual report and store it at its own path, replacing an earlier one.

    Idempotent: a report whose rendering began after it was last requested is not
    rendered again (`generated_at` is when the rendering began, so a request made while
    it ran is still pending)."""
    document = AllianceReport.objects.select_related("alliance").get(pk=alliance_report_id)
    if document.pdf and not alliance_report_pending(document):
        return document.pdf.name
    began = timezone.now()
    data = report_to_pdf(render_alliance_report_html(document.alliance, document.year))
    name = alliance_report_path(document, "report.pdf")
    with transaction.atomic():
        locked = AllianceReport.objects.select_for_update().get(pk=alliance_report_id)
        locked.pdf.name = store_file(locked.pdf, name, data)
        locked.pdf_sha256 = sha256_hex(data)
        locked.generated_at = began
        locked.save(update_fields=["pdf", "pdf_sha256", "generated_at"])
    return name


@transaction.atomic
def alliance_report_request(*, alliance, year, by=None) -> AllianceReport:
    """Generate (or regenerate) the alliance's annual report for `year`, after the commit."""
    document, _created = AllianceReport.objects.get_or_create(alliance=alliance, year=year)
    document.full_clean()
    document.requested_at = timezone.now()
    document.save(update_fields=["requested_at"])
    outbox.enqueue(RENDER_ANNUAL_TASK, document.pk, unique=True)
    return document


def alliance_report_waiting(document) -> bool:
    """True while the annual report's job waits for the background service."""
    return outbox.waiting_for_broker(RENDER_ANNUAL_TASK, document.pk)


def alliance_report_pending(document) -> bool:
    return document.generated_at is None or document.requested_at > document.generated_at


def reports_per_status(reporting_round) -> dict:
    return dict(
        Report.objects.filter(round=reporting_round)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
