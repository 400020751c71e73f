"""Queue the PDF job again for every countersigned agreement that still has no PDF."""

from django.core.management.base import BaseCommand
from django.db.models import Q

from partnerships.models import Agreement
from partnerships.tasks import render_agreement_pdf_task


def sealed_without_pdf():
    """Agreements signed by both parties whose PDF is missing (e.g. the job gave up)."""
    return Agreement.objects.filter(status__in=Agreement._sealed_statuses()).filter(
        Q(pdf="") | Q(pdf__isnull=True)
    )


class Command(BaseCommand):
    help = "Queue render_agreement_pdf_task for countersigned agreements without a PDF."

    def handle(self, *args, **options):
        pks = list(sealed_without_pdf().order_by("pk").values_list("pk", flat=True))
        for pk in pks:
            render_agreement_pdf_task.delay(pk)
        self.stdout.write(f"Queued {len(pks)} agreement PDF(s).")
