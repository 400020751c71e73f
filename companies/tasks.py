"""Background work for companies: the all-or-nothing spreadsheet import and invitation
mails."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from klimaalliance.tabular import SpreadsheetError

from . import invitations
from .models import ImportJob
from .spreadsheets import ImportFailed, import_rows, read_rows

logger = logging.getLogger(__name__)

PROGRESS_TTL = 24 * 60 * 60
# One transaction imports roughly 60-100 rows a second, so a file at the 20,000-row limit
# needs more than the project's default 4-minute limit. The soft limit ends as FAILED.
SOFT_TIME_LIMIT = 20 * 60
TIME_LIMIT = 25 * 60


def progress_key(job_id) -> str:
    return f"import-progress-{job_id}"


def job_progress(job: ImportJob) -> tuple[int, int]:
    """(rows processed, percent) of `job` as far as any process can see it.

    While the import runs, its transaction hides `processed_rows` from other connections,
    so the worker reports progress through the cache (Redis in production) instead.
    """
    processed = job.processed_rows
    if job.status == ImportJob.Status.RUNNING:
        processed = cache.get(progress_key(job.pk)) or 0
    elif job.status == ImportJob.Status.DONE:
        processed = job.total_rows
    percent = int(100 * processed / job.total_rows) if job.total_rows else 0
    return processed, min(percent, 100)


@shared_task(bind=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def import_companies(self, job_id: int) -> int:
    """Import a confirmed ImportJob's file; returns the number of new members.

    Only a QUEUED job is claimed, so a task delivered twice imports once. The job ends DONE
    with `created_count`, or FAILED with a message and nothing imported. A lost database
    connection puts the job back in the queue for a retry (PortalTask's back-off), until
    the retries are used up.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, processed_rows=0, error=""
    )
    if not claimed:
        return 0
    job = ImportJob.objects.select_related("alliance", "created_by").get(pk=job_id)
    _report(job_id, 0, job.total_rows)
    try:
        with job.file.open("rb") as handle:
            rows = read_rows(handle, job.original_name)
        created = import_rows(job.alliance, rows, by=job.created_by, progress=_progress(job_id))
    except (OperationalError, InterfaceError):
        if self.request.retries < self.max_retries:
            _finish(job_id, status=ImportJob.Status.QUEUED)
            raise  # retried with back-off by PortalTask
        logger.exception("Import %s failed: database unavailable", job_id)
        _fail(job_id, _("The database was unavailable. Nothing was imported; try again later."))
        return 0
    except (ImportFailed, SpreadsheetError) as exc:
        _fail(job_id, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        return 0
    except Exception:
        # Anything unforeseen must still leave the job in a final state for the staff page.
        logger.exception("Import %s failed", job_id)
        _fail(job_id, _("The import failed unexpectedly. Nothing was imported."))
        return 0
    _finish(
        job_id,
        status=ImportJob.Status.DONE,
        processed_rows=len(rows),
        created_count=created,
        finished_at=timezone.now(),
    )
    return created


def _progress(job_id):
    def report(done, total):
        _report(job_id, done, total)

    return report


def _report(job_id, done, total):
    # Progress is nice to have: a cache outage must not abort the import.
    try:
        cache.set(progress_key(job_id), done, PROGRESS_TTL)
    except Exception:
        logger.warning("Could not report progress of import %s", job_id, exc_info=True)


def _fail(job_id, message):
    _finish(job_id, status=ImportJob.Status.FAILED, error=message, finished_at=timezone.now())


def _finish(job_id, **fields):
    ImportJob.objects.filter(pk=job_id).update(**fields)


@shared_task(soft_time_limit=60, time_limit=90)
def send_invitation_mail(invitation_id: int, nonce: str) -> int:
    """Mail the invitation's link for `nonce`; sends nothing once a resend has replaced
    that link or the invitation was accepted or revoked (companies.invitations)."""
    return invitations.invitation_mail_send(invitation_id, nonce)
