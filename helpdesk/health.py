"""Readiness checks: can this process reach the database and the Celery broker?

``/readyz`` must answer a load balancer within a second even when a part hangs (a black-holed host keeps a
TCP connect waiting for minutes), so every check runs in its own daemon thread with a short connect timeout,
all at once, and whatever has not answered when the budget is spent is reported as ``timeout``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

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


def _reachable(url: str, timeout: float) -> str | None:
    """A plain TCP connect to the broker's host and port: a refused or unroutable address is reported at
    once (the Redis client retries a refused connection with back-off, about 2 s, before it gives up)."""
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("redis", "rediss", "amqp", "amqps", "pyamqp"):
        return None  # the embedded filesystem/memory brokers have no socket to probe
    default = 6379 if parts.scheme.startswith("redis") else 5672
    try:
        with socket.create_connection((parts.hostname, parts.port or default), timeout=timeout):
            return None
    except OSError as exc:
        return type(exc).__name__


def check_broker(timeout: float = CONNECT_TIMEOUT) -> str | None:
    unreachable = _reachable(str(app.conf.broker_url or ""), timeout)
    if unreachable:
        return unreachable
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


def _load_transport() -> None:
    """Import the broker's transport now (kombu's Redis transport imports redis-py, which takes hundreds of
    milliseconds on a busy machine): the first readiness probe's budget is then spent on the network alone."""
    try:
        with app.connection_for_write() as conn:
            conn.get_transport_cls()
    except Exception:  # noqa: S110 - a broken broker setting is what the probe itself reports
        pass


_load_transport()


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
