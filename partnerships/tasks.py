import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from klimaalliance import outbox

from .documents import render_agreement_pdf
from .models import Agreement, sha256_hex
from .services import agreements_expire

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=6,
    soft_time_limit=120,
    time_limit=180,
)
def render_agreement_pdf_task(self, agreement_id: int) -> str:
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
        outbox.enqueue(mail_signed_agreement, agreement_id)
    return agreement.pdf.name


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def mail_signed_agreement(agreement_id: int) -> int:
    """Send the signed PDF to every signer, each in the agreement's language."""
    agreement = Agreement.objects.select_related("alliance", "company").get(pk=agreement_id)
    recipients = sorted({s.user.email for s in agreement.signatures.select_related("user")})
    if agreement.alliance.contact_email:
        recipients.append(agreement.alliance.contact_email)
    with translation.override(agreement.language):
        context = {"agreement": agreement, "site_url": settings.SITE_URL}
        subject = render_to_string("email/agreement_signed_subject.txt", context).strip()
        body = render_to_string("email/agreement_signed.txt", context)
    message = EmailMessage(subject, body, to=recipients)
    with agreement.pdf.open("rb") as pdf:
        message.attach(
            f"klimapartnerskabsaftale-{agreement.verification_code}.pdf",
            pdf.read(),
            "application/pdf",
        )
    return message.send()


@shared_task(acks_late=True)
def expire_agreements() -> int:
    return agreements_expire()
