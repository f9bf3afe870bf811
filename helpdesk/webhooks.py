"""Webhooks to platforms, following Standard Webhooks (https://www.standardwebhooks.com).

- ``webhook_enqueue`` is called by a service in its transaction: one ``WebhookDelivery`` row per subscribed
  endpoint. The row is its own outbox: it commits with the change or not at all.
- ``deliver_due`` (a Celery beat task every few seconds, also kicked after commit) claims due rows with
  ``SKIP LOCKED``, leases them by moving ``next_attempt_at`` forward (a crashed worker's row comes back by
  itself), signs and POSTs through the SSRF-guarded client, and records the outcome.
- Retries follow Svix's schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: about 27 hours) with ±20 %
  jitter, kept in the database, never as broker countdowns longer than its visibility timeout.
- ``410 Gone`` disables the endpoint; other failures retry until the schedule runs out (status ``dead``).
- Secrets rotate with an overlap: both sign for ``WEBHOOK_SECRET_OVERLAP``.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from helpdesk import safe_http, webhook_signing
from helpdesk.audit import audit_record
from helpdesk.models import DeliveryStatus, User, WebhookDelivery, WebhookEndpoint
from helpdesk.outbox import kick

logger = logging.getLogger(__name__)

EVENTS = (
    "claim.filed",
    "claim.status_changed",
    "claim.replied",
    "claim.resolved",
    "callback.requested",
    "callback.completed",
)
RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
LEASE = timedelta(minutes=2)


def next_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta | None:
    """Wait before attempt ``attempts + 1``, or None when the schedule is used up."""
    if attempts > len(RETRY_SCHEDULE):
        return None
    base = RETRY_SCHEDULE[attempts - 1] if attempts >= 1 else timedelta(0)
    jitter = (rng or random).uniform(0.8, 1.2)
    return timedelta(seconds=base.total_seconds() * jitter)


# --- Endpoints ---------------------------------------------------------------------------------------
def webhook_endpoint_create(
    *, actor: User | None, platform_id: int, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise ValueError(f"unknown events: {', '.join(unknown)}")
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            platform_id=platform_id,
            url=url,
            events=sorted(set(events)),
            description=description,
            secret=webhook_signing.generate_secret(),
        )
        audit_record(
            actor=actor,
            action="webhook.endpoint_created",
            obj=endpoint,
            after={"platform_id": platform_id, "url": url, "events": endpoint.events},
        )
    return endpoint


def webhook_secret_rotate(*, actor: User | None, endpoint: WebhookEndpoint) -> str:
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = timezone.now() + settings.WEBHOOK_SECRET_OVERLAP
        locked.secret = webhook_signing.generate_secret()
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
        audit_record(actor=actor, action="webhook.secret_rotated", obj=locked)
    endpoint.refresh_from_db()
    return locked.secret


def webhook_endpoint_set_enabled(
    *, actor: User | None, endpoint: WebhookEndpoint, enabled: bool, reason: str = ""
) -> None:
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk).exclude(enabled=enabled)
        if changed.update(enabled=enabled, disabled_reason="" if enabled else reason[:200]):
            audit_record(
                actor=actor,
                action="webhook.endpoint_enabled" if enabled else "webhook.endpoint_disabled",
                obj=endpoint,
                reason=reason,
            )


def signing_secrets(endpoint: WebhookEndpoint) -> list[str]:
    secrets_ = [endpoint.secret]
    if endpoint.previous_secret and (
        endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > timezone.now()
    ):
        secrets_.append(endpoint.previous_secret)
    return secrets_


# --- Enqueue (inside the caller's transaction) -------------------------------------------------------
def webhook_enqueue(*, platform_id: int, event: str, data: Mapping[str, Any]) -> int:
    """One delivery per enabled endpoint of the platform that wants ``event``; returns how many."""
    now = timezone.now()
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(platform_id=platform_id, enabled=True) if e.wants(event)
    ]
    if not endpoints:
        return 0
    deliveries = [
        WebhookDelivery(
            endpoint=endpoint,
            msg_id=f"msg_{uuid.uuid4().hex}",
            event=event,
            payload={"type": event, "timestamp": now.isoformat(), "data": dict(data)},
            next_attempt_at=now,
        )
        for endpoint in endpoints
    ]
    WebhookDelivery.objects.bulk_create(deliveries)
    transaction.on_commit(_kick)
    return len(deliveries)


def webhook_delivery_replay(*, actor: User | None, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivered or dead message again, as a new delivery with the same payload (logged)."""
    with transaction.atomic():
        copy = WebhookDelivery.objects.create(
            endpoint=delivery.endpoint,
            msg_id=f"msg_{uuid.uuid4().hex}",
            event=delivery.event,
            payload=delivery.payload,
            next_attempt_at=timezone.now(),
        )
        audit_record(actor=actor, action="webhook.replayed", obj=copy, after={"replay_of": delivery.msg_id})
        transaction.on_commit(_kick)
    return copy


def _kick() -> None:
    kick("helpdesk.webhooks_deliver")  # by the task's name: helpdesk.tasks imports this module


# --- Delivery (Celery) -----------------------------------------------------------------------------------
def _claim_due(batch_size: int) -> list[int]:
    """Lease due deliveries: concurrent senders skip each other's rows, a crash releases them in LEASE."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(
                status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
                next_attempt_at__lte=now,
                endpoint__enabled=True,
            )
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:batch_size]
        )
        if ids:
            WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    return ids


def deliver_due(*, batch_size: int = 50, max_batches: int = 10) -> int:
    sent = 0
    for _ in range(max_batches):
        ids = _claim_due(batch_size)
        for delivery in WebhookDelivery.objects.filter(pk__in=ids).select_related("endpoint"):
            sent += deliver_one(delivery)
        if len(ids) < batch_size:
            break
    return sent


def deliver_one(delivery: WebhookDelivery) -> int:
    endpoint = delivery.endpoint
    now = timezone.now()
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    headers = webhook_signing.headers(
        secrets_=signing_secrets(endpoint), msg_id=delivery.msg_id, timestamp=now, body=body
    )
    status_code: int | None = None
    error = ""
    excerpt = ""
    try:
        response = safe_http.post_json(
            endpoint.url,
            body,
            headers,
            allowed_networks=safe_http.parse_networks(settings.OUTBOUND_ALLOWED_NETWORKS),
            timeout=settings.WEBHOOK_TIMEOUT.total_seconds(),
        )
        status_code = response.status
        excerpt = response.body[:500].decode("utf-8", errors="replace")
    except safe_http.BlockedDestination as exc:
        error = f"blocked: {exc}"
    except OSError as exc:
        error = f"{type(exc).__name__}: {exc}"
    attempts = delivery.attempts + 1
    update: dict[str, Any] = {
        "attempts": F("attempts") + 1,
        "last_attempt_at": now,
        "last_status_code": status_code,
        "last_error": error[:300],
        "response_excerpt": excerpt,
    }
    ok = status_code is not None and 200 <= status_code < 300
    if ok:
        update.update(status=DeliveryStatus.SUCCEEDED, delivered_at=now, next_attempt_at=None)
    elif status_code == 410:
        update.update(status=DeliveryStatus.DEAD, next_attempt_at=None)
    else:
        delay = next_delay(attempts)
        if delay is None:
            update.update(status=DeliveryStatus.DEAD, next_attempt_at=None)
        else:
            update.update(status=DeliveryStatus.FAILED, next_attempt_at=now + delay)
    # Only the lease holder records the outcome (a replayed lease after a crash may have moved on).
    WebhookDelivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(**update)
    if status_code == 410:
        webhook_endpoint_set_enabled(
            actor=None,
            endpoint=endpoint,
            enabled=False,
            reason=gettext_noop("The endpoint answered 410 Gone."),
        )
    logger.info(
        "webhook %s %s → %s", delivery.event, delivery.msg_id, status_code if status_code else error[:80]
    )
    return 1 if ok else 0
