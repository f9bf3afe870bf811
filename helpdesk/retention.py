"""Prune what we keep (healthchecks ``pruneobjects``): tables that grow by themselves are trimmed by the
``helpdesk.prune`` beat task (hourly) after a configurable retention.

- dispatched outbox rows after ``OUTBOX_RETENTION`` (failed ones stay for operators);
- ``Idempotency-Key`` records after ``IDEMPOTENCY_KEY_TTL`` (``prune_idempotency_keys``);
- finished webhook deliveries (delivered or given up) after ``WEBHOOK_DELIVERY_RETENTION``;
- expired API tokens (``helpdesk.api_tokens.api_tokens_purge_expired``);
- whatever the apps register with ``register_pruner``: integrations' matched platform events, insights'
  personal-data retention (closed claims, scam-report screenshots). Core imports no app, so an app hands
  its pruner in from ``AppConfig.ready``. (Guest drafts are not here: ``tickets.purge_draft_files`` runs
  every 15 minutes so a draft never outlives ``DRAFT_TTL`` by much.)

Deletes are set-based, in batches of ``PRUNE_BATCH_SIZE`` ids, each batch its own short transaction, so a
prune never holds a long lock or a huge transaction; running it twice (or concurrently) is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from helpdesk.models import DeliveryStatus, IdempotencyRecord, OutboxMessage, WebhookDelivery

logger = logging.getLogger(__name__)

_pruners: dict[str, Callable[[], int]] = {}


def register_pruner(name: str, func: Callable[[], int]) -> None:
    """An app's own retention sweep (returns how many it removed), run by ``prune`` after the core ones."""
    _pruners[name] = func


def delete_in_batches(queryset: QuerySet[Any], *, batch_size: int | None = None) -> int:
    """Delete every row of ``queryset``, ``batch_size`` ids at a time; returns how many rows went."""
    size = batch_size or settings.PRUNE_BATCH_SIZE
    model = queryset.model
    label = model._meta.label
    total = 0
    while True:
        ids = list(queryset.order_by().values_list("pk", flat=True)[:size])
        if not ids:
            return total
        _deleted, counts = model._base_manager.filter(pk__in=ids).delete()
        total += counts.get(label, 0)
        if len(ids) < size:
            return total


def prune_outbox() -> int:
    cutoff = timezone.now() - settings.OUTBOX_RETENTION
    return delete_in_batches(OutboxMessage.objects.filter(dispatched_at__lt=cutoff))


def prune_webhook_deliveries() -> int:
    cutoff = timezone.now() - settings.WEBHOOK_DELIVERY_RETENTION
    finished = WebhookDelivery.objects.filter(
        status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.DEAD], created_at__lt=cutoff
    )
    return delete_in_batches(finished)


def prune_idempotency_keys() -> int:
    """Forget ``Idempotency-Key`` records older than ``IDEMPOTENCY_KEY_TTL``."""
    cutoff = timezone.now() - settings.IDEMPOTENCY_KEY_TTL
    return delete_in_batches(IdempotencyRecord.objects.filter(created_at__lt=cutoff))


def prune() -> dict[str, int]:
    """Run every retention sweep; returns how many rows each removed (logged, no personal data)."""
    from helpdesk.api_tokens import api_tokens_purge_expired

    removed = {
        "outbox": prune_outbox(),
        "idempotency_keys": prune_idempotency_keys(),
        "webhook_deliveries": prune_webhook_deliveries(),
        "api_tokens": api_tokens_purge_expired(),
    }
    for name, func in sorted(_pruners.items()):
        removed[name] = func()
    logger.info("pruned %s", ", ".join(f"{name}={count}" for name, count in removed.items()))
    return removed
