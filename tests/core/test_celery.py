import smtplib

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.db import OperationalError

from klimaalliance.celery import TRANSIENT_ERRORS, PortalTask
from klimaalliance.celery import app as celery_app
from klimaalliance.models import WorkerHeartbeat
from klimaalliance.tasks import record_heartbeat


@pytest.mark.services
def test_a_task_travels_through_redis_to_a_real_worker_and_writes_to_the_database(real_worker):
    assert not real_worker.conf.task_always_eager
    result = record_heartbeat.delay("round-trip-test")
    heartbeat_id = result.get(timeout=30)
    heartbeat = WorkerHeartbeat.objects.get(pk=heartbeat_id)
    assert heartbeat.hostname == "round-trip-test"


@pytest.mark.django_db
def test_without_a_broker_tasks_run_in_process():
    result = record_heartbeat.delay("eager")
    assert WorkerHeartbeat.objects.filter(pk=result.get(), hostname="eager").exists()


@pytest.mark.django_db
def test_the_heartbeat_keeps_a_week_of_rows_and_prunes_in_one_delete(django_assert_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for age in [timedelta(days=30), timedelta(days=7, minutes=1), timedelta(days=6, hours=23)]:
        heartbeat = WorkerHeartbeat.objects.create(hostname=str(age))
        WorkerHeartbeat.objects.filter(pk=heartbeat.pk).update(seen_at=now - age)
    with django_assert_num_queries(2) as queries:  # the new row, one DELETE
        record_heartbeat("now")
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT", "DELETE"]
    assert sorted(WorkerHeartbeat.objects.values_list("hostname", flat=True)) == [
        "6 days, 23:00:00",
        "now",
    ]


OUR_APPS = ("klimaalliance.", "companies.", "emissions.", "partnerships.", "network.")


def test_every_task_runs_on_the_portal_base_class_and_its_one_retry_policy():
    celery_app.loader.import_default_modules()
    ours = {name: task for name, task in celery_app.tasks.items() if name.startswith(OUR_APPS)}
    assert len(ours) >= 12, sorted(ours)
    for name, task in ours.items():
        assert isinstance(task, PortalTask), name
        assert task.acks_late and task.reject_on_worker_lost, name
        # No task keeps a retry policy of its own (they had five different ones).
        assert task.autoretry_for == TRANSIENT_ERRORS, name
        assert (task.max_retries, task.retry_backoff, task.retry_backoff_max) == (
            PortalTask.max_retries,
            PortalTask.retry_backoff,
            PortalTask.retry_backoff_max,
        ), name
        assert task.retry_jitter, name
        assert 0 < task.soft_time_limit < task.time_limit, name
    assert not any(issubclass(ObjectDoesNotExist, error) for error in TRANSIENT_ERRORS)
    assert smtplib.SMTPServerDisconnected in TRANSIENT_ERRORS or issubclass(
        smtplib.SMTPServerDisconnected, TRANSIENT_ERRORS
    )


@pytest.fixture
def eager_retries():
    """Eager tasks retry in place (without waiting) only if their errors do not propagate."""
    saved = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = saved


@pytest.mark.django_db
def test_a_transient_error_is_retried_and_a_missing_row_is_not(eager_retries, monkeypatch):
    from emissions import documents
    from emissions.models import AllianceReport
    from emissions.tasks import render_alliance_report_pdf

    calls = []

    def database_restarting(document_id):
        calls.append(document_id)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return "rendered"

    monkeypatch.setattr(documents, "alliance_report_pdf_store", database_restarting)
    assert render_alliance_report_pdf.apply(args=[7]).get() == "rendered"
    assert calls == [7, 7, 7]

    calls.clear()

    def gone(document_id):
        calls.append(document_id)
        raise AllianceReport.DoesNotExist

    monkeypatch.setattr(documents, "alliance_report_pdf_store", gone)
    result = render_alliance_report_pdf.apply(args=[7])
    assert result.failed() and isinstance(result.result, AllianceReport.DoesNotExist)
    assert calls == [7]
