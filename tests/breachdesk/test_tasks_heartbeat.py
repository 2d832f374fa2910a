import time

import pytest

from breachdesk.models import Heartbeat
from breachdesk.tasks import heartbeat_record_task


@pytest.mark.django_db
def test_heartbeat_task_records_when_it_last_ran():
    heartbeat_record_task.delay(name="beat")

    assert Heartbeat.objects.get(name="beat").last_seen_at is not None


@pytest.mark.django_db
def test_heartbeat_task_keeps_one_row_per_name():
    heartbeat_record_task.delay(name="beat")
    first = Heartbeat.objects.get(name="beat").last_seen_at

    heartbeat_record_task.delay(name="beat")

    assert Heartbeat.objects.filter(name="beat").count() == 1
    assert Heartbeat.objects.get(name="beat").last_seen_at >= first


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_a_task_that_writes_to_postgresql(celery_worker):
    heartbeat_record_task.delay(name="from-real-worker")

    deadline = time.monotonic() + 30
    while not Heartbeat.objects.filter(name="from-real-worker").exists():
        assert time.monotonic() < deadline, "the worker never wrote the row"
        time.sleep(0.2)
