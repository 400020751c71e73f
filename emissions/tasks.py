import datetime
import logging

from celery import shared_task

from . import reporting

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=10,
    max_retries=5,
    soft_time_limit=240,
    time_limit=300,
)
def send_reporting_reminders(today: str | None = None) -> int:
    """Mail every report whose next reminder is due (`today`: an ISO date, for tests and
    catching up); beat runs this daily and opening a round runs it at once. Each (report,
    kind) is claimed before its mail goes out, so no reminder is sent twice."""
    day = datetime.date.fromisoformat(today) if today else None
    return reporting.reminders_send(today=day)


# PDF tasks acknowledge a message only once the PDF is stored (acks_late) and hand it back
# to the broker if their worker process dies mid-render (reject_on_worker_lost), so a killed
# worker's report is rendered again by another; rendering is idempotent (see
# emissions.documents), so a report rendered twice still has exactly one file.
PDF_TASK = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "max_retries": 6,
    "soft_time_limit": 120,
    "time_limit": 180,
}


@shared_task(**PDF_TASK)
def render_report_pdf(self, report_id: int, batch_id: int | None = None) -> str:
    """Render and store one company's progress report; see `emissions.documents`."""
    from .documents import report_pdf_store

    return report_pdf_store(report_id, batch_id=batch_id)


@shared_task(**PDF_TASK)
def start_report_batch(self, batch_id: int) -> int:
    """Queue one render task per approved report of the batch's round not yet rendered by
    it, on the queue this task came from. Running it twice queues nothing twice that
    matters: each render task skips a report its batch has rendered."""
    from .documents import batch_finish_if_done, batch_reports
    from .models import ReportBatch

    batch = ReportBatch.objects.get(pk=batch_id)
    queue = (self.request.delivery_info or {}).get("routing_key") or None
    report_ids = list(batch_reports(batch).exclude(pdf_batch=batch).values_list("pk", flat=True))
    for report_id in report_ids:
        render_report_pdf.apply_async(args=[report_id, batch_id], queue=queue)
    batch_finish_if_done(batch_id)
    return len(report_ids)


@shared_task(**PDF_TASK)
def render_alliance_report_pdf(self, alliance_report_id: int) -> str:
    """Render and store the alliance's annual report (again, when regenerated)."""
    from .documents import alliance_report_pdf_store

    return alliance_report_pdf_store(alliance_report_id)
