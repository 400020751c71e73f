"""Celery tasks of the network app."""

import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from partnerships.models import sha256_hex

from .models import CommitmentPaper
from .paper_documents import render_paper_pdf

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=120, time_limit=180)
def render_paper_pdf_task(paper_id: int) -> str:
    """Render the paper with its signatories as PDF/A and store it, replacing an older PDF.

    Idempotent: when the stored PDF already shows the current number of signatures nothing
    happens, so running it twice (or once per signature, out of order) makes one PDF.
    """
    paper = CommitmentPaper.objects.select_related("group__alliance").get(pk=paper_id)
    if paper.status == CommitmentPaper.Status.DRAFT:
        return ""
    if paper.pdf and paper.pdf_signatures == paper.signatures.count():
        return paper.pdf.name
    pdf_bytes, shown = render_paper_pdf(paper)
    with transaction.atomic():
        paper = CommitmentPaper.objects.select_for_update().get(pk=paper_id)
        if paper.pdf and paper.pdf_signatures >= shown:  # another worker was as quick
            return paper.pdf.name
        old_name = paper.pdf.name if paper.pdf else ""
        paper.pdf.save("paper.pdf", ContentFile(pdf_bytes), save=False)
        paper.pdf_sha256 = sha256_hex(pdf_bytes)
        paper.pdf_signatures = shown
        paper.pdf_generated_at = timezone.now()
        paper.save(update_fields=["pdf", "pdf_sha256", "pdf_signatures", "pdf_generated_at"])
        new_name = paper.pdf.name
        storage = paper.pdf.storage
        if old_name and old_name != new_name:
            transaction.on_commit(lambda: storage.delete(old_name))
    logger.info("Commitment paper %s: PDF with %s signatures", paper_id, shown)
    return new_name
