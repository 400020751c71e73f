import socket

from celery import shared_task

from . import mail
from .models import WorkerHeartbeat
from .outbox import sweep


@shared_task
def record_heartbeat(hostname: str = "") -> int:
    """Store that a worker ran a task; the worker status page shows the latest one."""
    heartbeat = WorkerHeartbeat.objects.create(hostname=hostname or socket.gethostname())
    return heartbeat.pk


@shared_task(ignore_result=True, soft_time_limit=100, time_limit=120)
def sweep_outbox() -> int:
    """Beat's safety net: publish outbox messages the commit hook could not send."""
    return sweep()


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def send_mail(to, subject, text, html=None, reply_to=()) -> int:
    """Send a mail rendered when it was queued (`klimaalliance.mail.queue_mail`)."""
    return mail.send(to=to, subject=subject, text=text, html=html, reply_to=reply_to)
