"""Readiness checks: can this process reach the database and the Celery broker?

``/readyz`` must answer a load balancer within a second even when a part hangs (a black-holed host keeps a
TCP connect waiting for minutes), so every check runs in its own daemon thread with a short connect timeout,
all at once, and whatever has not answered when the budget is spent is reported as ``timeout``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from django.db import connection, connections

from helpdesk.celery import app
from helpdesk.models import Heartbeat

# Whole budget of one readiness probe, and the connect timeout each check gives its own client.
READINESS_BUDGET = 0.8
CONNECT_TIMEOUT = 0.5


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return type(exc).__name__
    return None


def check_broker(timeout: float = CONNECT_TIMEOUT) -> str | None:
    try:
        # No retries (ensure_connection's back-off took 6 s to report a dead broker); the transport's
        # socket timeouts bound a connect that hangs.
        with app.connection_for_write(
            connect_timeout=timeout,
            transport_options={"socket_connect_timeout": timeout, "socket_timeout": timeout},
        ) as conn:
            conn.connect()
    except Exception as exc:
        return type(exc).__name__
    return None


def _in_thread(check: Callable[[], str | None], results: dict[str, str | None], part: str) -> None:
    try:
        results[part] = check()
    finally:
        # A check thread opens its own database connection; it must not outlive the thread.
        connections.close_all()


def failing_parts(budget: float = READINESS_BUDGET) -> dict[str, str]:
    """``{part: reason}`` for each part that failed or did not answer within ``budget`` seconds."""
    checks = {"database": check_database, "broker": check_broker}
    results: dict[str, str | None] = {}
    threads = [
        threading.Thread(target=_in_thread, args=(check, results, part), daemon=True, name=f"readyz-{part}")
        for part, check in checks.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + budget
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    failures = {}
    for part in checks:
        if part not in results:
            failures[part] = "timeout"
        elif results[part]:
            failures[part] = str(results[part])
    return failures


def heartbeats() -> dict[str, datetime]:
    try:
        return dict(Heartbeat.objects.values_list("name", "seen_at"))
    except Exception:
        return {}
