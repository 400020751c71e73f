"""The outbox without a broker (jobs run in the process) and with a broker that refuses
connections. The real Redis outage is in test_fault_tolerance.py."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from bench._server import free_port
from klimaalliance.celery import app as celery_app
from klimaalliance.models import OutboxMessage, WorkerHeartbeat
from klimaalliance.outbox import enqueue, sweep
from klimaalliance.tasks import record_heartbeat

pytestmark = pytest.mark.django_db


def test_a_job_queued_in_a_transaction_that_rolls_back_is_forgotten(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(record_heartbeat, "rolled-back")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert not WorkerHeartbeat.objects.exists()


def test_without_a_broker_the_job_runs_after_commit_and_only_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue(record_heartbeat, "eager")
        assert not WorkerHeartbeat.objects.exists()  # not before the commit
    assert WorkerHeartbeat.objects.filter(hostname="eager").count() == 1
    assert OutboxMessage.objects.get().sent_at is not None
    assert sweep() == 0
    assert WorkerHeartbeat.objects.count() == 1


@pytest.fixture
def refusing_broker():
    """A broker address where nothing listens: every connection is refused at once."""
    saved = celery_app.conf.broker_url
    celery_app.conf.update(broker_url=f"redis://127.0.0.1:{free_port()}/0")
    celery_app.conf.task_always_eager = False
    celery_app._pool = None
    yield
    celery_app.conf.update(broker_url=saved)
    celery_app._pool = None


def test_when_the_broker_refuses_the_job_waits_and_the_sweep_says_so(
    refusing_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue(record_heartbeat, "waiting")
    message = OutboxMessage.objects.get()
    assert message.sent_at is None
    assert message.attempts == 1
    assert "Connection refused" in message.last_error

    with pytest.raises(CommandError, match="1 message"):
        call_command("sweep_outbox")
    message.refresh_from_db()
    assert (message.sent_at, message.attempts) == (None, 2)
