"""The outbox without a broker (jobs run in the process) and with a broker that refuses
connections. The real Redis outage is in test_fault_tolerance.py and test_job_pipeline.py."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from bench._server import free_port
from klimaalliance.celery import app as celery_app
from klimaalliance.models import OutboxMessage, WorkerHeartbeat
from klimaalliance.outbox import enqueue, publish, sweep, waiting_for_broker
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


def test_a_job_is_queued_by_the_tasks_name_and_a_misspelt_name_fails_at_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = enqueue("klimaalliance.tasks.record_heartbeat", "by-name")
    assert message.task == record_heartbeat.name
    assert WorkerHeartbeat.objects.filter(hostname="by-name").count() == 1
    with pytest.raises(KeyError, match="record_heartbeet"):
        enqueue("klimaalliance.tasks.record_heartbeet", "typo")
    assert OutboxMessage.objects.count() == 1


def test_a_unique_job_still_waiting_for_the_broker_is_not_queued_twice(
    refusing_broker, django_capture_on_commit_callbacks
):
    for _ in range(3):  # the same button, pressed three times during an outage
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            enqueue(record_heartbeat, "once", unique=True)
    message = OutboxMessage.objects.get()
    assert (message.sent_at, message.attempts) == (None, 3)  # each press tried it again
    # Another job, or the same task with other arguments, is a message of its own.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue(record_heartbeat, "other", unique=True)
    assert OutboxMessage.objects.count() == 2


def test_waiting_for_broker_means_tried_and_not_sent(
    refusing_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as hooks, transaction.atomic():
        enqueue(record_heartbeat, "later")
    # Not tried yet (the commit hook has not run): not reported as waiting.
    assert not waiting_for_broker(record_heartbeat, "later")
    for hook in hooks:
        hook()
    assert waiting_for_broker("klimaalliance.tasks.record_heartbeat", "later")
    assert not waiting_for_broker(record_heartbeat, "someone else")


def test_a_failing_publish_never_fails_the_request_that_committed(
    refusing_broker, monkeypatch, caplog
):
    message = OutboxMessage.objects.create(task=record_heartbeat.name, args=["x"])

    def broken(message_id):
        raise RuntimeError("something unforeseen")

    monkeypatch.setattr("klimaalliance.outbox._publish", broken)
    assert publish(message.pk) is False
    assert "not published" in caplog.text
