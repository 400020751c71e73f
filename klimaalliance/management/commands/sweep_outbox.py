"""`manage.py sweep_outbox`: send the background jobs still waiting in the outbox.

Beat runs the same sweep every minute (`klimaalliance.tasks.sweep_outbox`); run this by
hand after the broker was down, or from cron where there is no beat. See
docs/fault-tolerance.md.
"""

from django.core.management.base import BaseCommand, CommandError

from klimaalliance.models import OutboxMessage
from klimaalliance.outbox import sweep


class Command(BaseCommand):
    help = "Publish every unsent outbox message to the Celery broker, oldest first."

    def handle(self, *args, **options):
        sent = sweep()
        waiting = OutboxMessage.objects.filter(sent_at__isnull=True).count()
        self.stdout.write(f"sent {sent}, still waiting {waiting}")
        if waiting:
            last = OutboxMessage.objects.filter(sent_at__isnull=True).last()
            raise CommandError(f"{waiting} message(s) not sent; last error: {last.last_error}")
