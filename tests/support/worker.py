"""Start a real Celery worker process against the test database and a real broker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.db import connection

from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 180


def database_url_for_worker() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def start_worker(
    *, queue: str, broker_url: str, var_dir: Path, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url_for_worker(),
        "CELERY_BROKER_URL": broker_url,
        "VAR_DIR": str(var_dir),
        "OUTBOX_KICK_ON_COMMIT": "false",
        **(extra_env or {}),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("TEST_DATABASE_URL", None)
    hostname = f"{queue}-{time.monotonic_ns()}@{socket.gethostname()}"
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
            f"--hostname={hostname}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # A test's deadlines are for the work it sends, not for the worker's start-up (imports, Django set-up),
    # which takes far longer on a busy machine (pytest -n, CI): wait until the worker answers a ping.
    from helpdesk.celery import app

    def ready() -> bool:
        return bool(app.control.ping(destination=[hostname], timeout=0.5))

    if not wait_until(ready, timeout=STARTUP_TIMEOUT, process=worker):
        stop_worker(worker)
        raise AssertionError(f"the worker did not start within {STARTUP_TIMEOUT} s")
    return worker


def stop_worker(worker: subprocess.Popen[str]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def drain(*, queue: str, broker_url: str, worker: subprocess.Popen[str], timeout: float = 60) -> None:
    """Wait until ``worker`` has finished everything sent to ``queue`` so far and Redis holds nothing more
    that could still be (re)delivered: a heartbeat sent now runs after every earlier message (one solo
    worker takes them in order), then the queue is empty and no delivered message is left unacknowledged.
    After this, "it happened exactly once" is a fact, not the hope of a fixed sleep."""
    import redis

    from helpdesk.celery import app
    from helpdesk.models import Heartbeat
    from helpdesk.tasks import heartbeat

    name = f"drain-{uuid.uuid4().hex[:8]}"
    with app.connection_for_write() as conn:
        heartbeat.apply_async(kwargs={"name": name}, queue=queue, connection=conn)
    client = redis.Redis.from_url(broker_url)

    def idle() -> bool:
        queued = sum(client.llen(key) for key in client.scan_iter(match=f"{queue}*", _type="list"))
        return queued == 0 and client.hlen("unacked") == 0 and Heartbeat.objects.filter(name=name).exists()

    drained = wait_until(idle, timeout=timeout, process=worker)
    assert drained, f"the worker did not drain {queue} within {timeout} s"
