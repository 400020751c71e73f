import socket

from celery import shared_task

from .models import WorkerHeartbeat


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def record_heartbeat(hostname: str = "") -> int:
    """Store that a worker ran a task; the worker status page shows the latest one."""
    heartbeat = WorkerHeartbeat.objects.create(hostname=hostname or socket.gethostname())
    return heartbeat.pk


@shared_task(acks_late=True, ignore_result=True, time_limit=120)
def sweep_outbox() -> int:
    """Beat's safety net: publish outbox messages the commit hook could not send."""
    from .outbox import sweep

    return sweep()
