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


@shared_task(name="helpdesk.outbox_relay", ignore_result=True)
def outbox_relay() -> int:
    """Deliver due outbox messages (kicked after each commit that wrote one, and by beat as a safety net)."""
    from helpdesk.outbox import relay

    return relay()


@shared_task(name="helpdesk.prune", ignore_result=True)
def prune() -> dict[str, int]:
    """Hourly: delete what is past retention (outbox, idempotency keys, webhook deliveries, API tokens, and
    the apps' registered pruners; see helpdesk/retention.py)."""
    from helpdesk.retention import prune as prune_all

    return prune_all()


@shared_task(name="helpdesk.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    """Kept for schedules saved before ``helpdesk.prune`` (which now does this among the rest)."""
    from helpdesk.retention import prune_idempotency_keys

    return prune_idempotency_keys()


@shared_task(name="helpdesk.webhooks_deliver", ignore_result=True)
def webhooks_deliver() -> int:
    """Send due webhook deliveries (leased rows; safe to run in several workers at once)."""
    from helpdesk.webhooks import deliver_due

    return deliver_due()


@shared_task(name="helpdesk.purge_expired_api_tokens", ignore_result=True)
def purge_expired_api_tokens() -> int:
    """Kept for schedules saved earlier; ``helpdesk.prune`` purges expired tokens among the rest."""
    from helpdesk.api_tokens import api_tokens_purge_expired

    return api_tokens_purge_expired()
