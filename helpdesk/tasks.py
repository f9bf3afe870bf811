from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from helpdesk.models import Heartbeat


@shared_task(name="helpdesk.heartbeat")
def heartbeat(name: str = "worker") -> str:
    """Beat schedules this; the worker running it proves both processes are alive (shown on /readyz)."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": now})
    Heartbeat.objects.update_or_create(name="worker", defaults={"seen_at": now})
    return now.isoformat()
