import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from klimaalliance import mail, outbox

from . import notifications
from .documents import render_agreement_pdf
from .models import Agreement, sha256_hex
from .services import agreements_expire

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=120, time_limit=180)
def render_agreement_pdf_task(agreement_id: int) -> str:
    """Render, store and mail the signed agreement's PDF. Running it twice makes one PDF."""
    agreement = Agreement.objects.select_related("alliance", "company", "template").get(
        pk=agreement_id
    )
    if agreement.pdf:
        return agreement.pdf.name
    pdf_bytes = render_agreement_pdf(agreement)
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
        if agreement.pdf:  # another worker finished first
            return agreement.pdf.name
        agreement.pdf.save("agreement.pdf", ContentFile(pdf_bytes), save=False)
        agreement.pdf_sha256 = sha256_hex(pdf_bytes)
        agreement.pdf_generated_at = timezone.now()
        agreement.save(update_fields=["pdf", "pdf_sha256", "pdf_generated_at", "updated_at"])
        outbox.enqueue("partnerships.tasks.mail_signed_agreement", agreement_id)
    return agreement.pdf.name


@shared_task(soft_time_limit=60, time_limit=90)
def mail_signed_agreement(agreement_id: int) -> int:
    """Send the signed PDF to every signer, in the agreement's language. Rendered here, in
    the worker, because the mail carries the PDF (klimaalliance.mail)."""
    agreement = Agreement.objects.select_related("alliance", "company").get(pk=agreement_id)
    recipients = sorted({s.user.email for s in agreement.signatures.select_related("user")})
    if agreement.alliance.contact_email:
        recipients.append(agreement.alliance.contact_email)
    context = {"agreement": agreement, "site_url": settings.SITE_URL}
    rendered = mail.render_mail("agreement_signed", context, language=agreement.language)
    with agreement.pdf.open("rb") as pdf:
        attachment = (
            f"klimapartnerskabsaftale-{agreement.verification_code}.pdf",
            pdf.read(),
            "application/pdf",
        )
    return mail.send(
        to=recipients, subject=rendered.subject, text=rendered.text, attachments=[attachment]
    )


@shared_task
def expire_agreements() -> int:
    return agreements_expire()


@shared_task(ignore_result=True)
def notify_expiring_agreements(today: str | None = None) -> int:
    """Daily: tell both parties of each agreement ending within 90 days, once per agreement
    and end date (`today`: an ISO date, for tests and catching up)."""
    import datetime

    day = datetime.date.fromisoformat(today) if today else None
    return notifications.agreements_expiring(day)
