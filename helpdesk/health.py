"""Readiness checks: can this process reach the database and the Celery broker?"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from helpdesk.celery import app
from helpdesk.models import Heartbeat


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return type(exc).__name__
    return None


def check_broker(timeout: int = 2) -> str | None:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        return type(exc).__name__
    return None


def heartbeats() -> dict[str, datetime]:
    try:
        return dict(Heartbeat.objects.values_list("name", "seen_at"))
    except Exception:
        return {}
