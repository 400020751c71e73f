import datetime
import logging

from celery import shared_task

from . import documents, reporting, results

logger = logging.getLogger(__name__)


@shared_task
def send_reporting_reminders(today: str | None = None) -> int:
    """Queue every report's reminder that is due (`today`: an ISO date, for tests and
    catching up); beat runs this daily and opening a round queues it at once. Each (report,
    kind) is claimed in the transaction that queues its mails, so no reminder is sent twice
    and none is lost to a mail server that is down."""
    day = datetime.date.fromisoformat(today) if today else None
    return reporting.reminders_send(today=day)


# PDF tasks are acknowledged only once the PDF is stored and handed back to the broker if
# their worker dies mid-render (PortalTask), so a killed worker's report is rendered again
# by another; rendering is idempotent (see emissions.documents), so a report rendered twice
# still has exactly one file.
PDF_LIMITS = {"soft_time_limit": 120, "time_limit": 180}


@shared_task(**PDF_LIMITS)
def render_report_pdf(report_id: int, batch_id: int | None = None) -> str:
    """Render and store one company's progress report; see `emissions.documents`."""
    return documents.report_pdf_store(report_id, batch_id=batch_id)


@shared_task(bind=True, **PDF_LIMITS)
def start_report_batch(self, batch_id: int) -> int:
    """Queue one render task per approved report of the batch's round not yet rendered by
    it, on the queue this task came from (`documents.batch_fan_out`)."""
    queue = (self.request.delivery_info or {}).get("routing_key") or None

    def queue_render(report_id):
        render_report_pdf.apply_async(args=[report_id, batch_id], queue=queue, ignore_result=True)

    return documents.batch_fan_out(batch_id, queue_render)


@shared_task(**PDF_LIMITS)
def render_alliance_report_pdf(alliance_report_id: int) -> str:
    """Render and store the alliance's annual report (again, when regenerated)."""
    return documents.alliance_report_pdf_store(alliance_report_id)


@shared_task(**PDF_LIMITS)
def render_results_pdf(results_id: int) -> str:
    """Render and store the alliance's published results in Danish and English."""
    return results.results_pdf_store(results_id)
