import pytest

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
