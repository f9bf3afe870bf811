"""Start a real Celery worker process against the test database and a real broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


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
    return subprocess.Popen(
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
            f"--hostname={queue}-{time.monotonic_ns()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_worker(worker: subprocess.Popen[str]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_until(
    condition: Callable[[], bool], *, timeout: float, worker: subprocess.Popen[str] | None = None
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if worker is not None and worker.poll() is not None:
            output = worker.stdout.read() if worker.stdout else ""
            raise AssertionError(f"the worker died: {output[-2000:]}")
        time.sleep(0.2)
    return False
