"""Background work really runs: a task sent through Redis is executed by a separate worker process."""

from __future__ import annotations

import uuid

import pytest

from helpdesk.celery import app
from helpdesk.models import Heartbeat
from helpdesk.tasks import heartbeat
from tests.support.waiting import wait_until
from tests.support.worker import start_worker, stop_worker


def test_the_heartbeat_task_records_the_worker(db):
    heartbeat(name="beat")
    assert set(Heartbeat.objects.values_list("name", flat=True)) == {"beat", "worker"}


@pytest.mark.django_db(transaction=True)
def test_a_task_goes_through_redis_to_a_real_worker(postgres, redis_url, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    name = f"probe-{uuid.uuid4().hex[:6]}"
    worker = start_worker(queue=queue, broker_url=redis_url, var_dir=tmp_path)
    try:
        assert app.conf.broker_url == redis_url
        with app.connection_for_write() as conn:
            heartbeat.apply_async(kwargs={"name": name}, queue=queue, connection=conn)
        found = wait_until(lambda: Heartbeat.objects.filter(name=name).exists(), timeout=60, process=worker)
        assert found, "the worker did not run the task within 60 s"
    finally:
        stop_worker(worker)
