"""Background work really runs: a task sent through Redis is executed by a separate worker process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from helpdesk.celery import app
from helpdesk.models import Heartbeat
from helpdesk.tasks import heartbeat

ROOT = Path(__file__).resolve().parents[2]


def test_the_heartbeat_task_records_the_worker(db):
    heartbeat(name="beat")
    assert set(Heartbeat.objects.values_list("name", flat=True)) == {"beat", "worker"}


def _database_url_for_worker() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:{settings['PORT']}"
        f"/{settings['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_a_task_goes_through_redis_to_a_real_worker(postgres, redis_url, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    name = f"probe-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": _database_url_for_worker(),
        "CELERY_BROKER_URL": redis_url,
        "VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "helpdesk",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
            f"--hostname={queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert app.conf.broker_url == redis_url
        with app.connection_for_write() as conn:
            heartbeat.apply_async(kwargs={"name": name}, queue=queue, connection=conn)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Heartbeat.objects.filter(name=name).exists():
                break
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else "worker died"
            time.sleep(0.2)
        else:
            pytest.fail("the worker did not run the task within 60 s")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
