"""Transactional outbox: promises written with the change, carried out by Celery after commit.

A service writes ``outbox_write(event="claim.filed", payload={"claim_id": 42})`` inside its transaction.
After commit a relay task is kicked (and beat runs it every few seconds as a safety net); it claims due
messages in batches (``SKIP LOCKED`` on PostgreSQL, so two relays never take the same row) and calls the
handler each app registered for the event. A handler that raises is retried with exponential backoff;
after ``OUTBOX_MAX_ATTEMPTS`` the message is marked failed and stays visible to operators.

Handlers must be idempotent: a worker may die after the handler ran and before the row was marked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from helpdesk.models import OutboxMessage

logger = logging.getLogger(__name__)

Handler = Callable[[int, dict[str, Any]], None]
_handlers: dict[str, list[Handler]] = {}


def outbox_handler(event: str) -> Callable[[Handler], Handler]:
    """Register ``func(message_id, payload)`` for ``event``. Apps call this from ``AppConfig.ready``."""

    def register(func: Handler) -> Handler:
        bucket = _handlers.setdefault(event, [])
        if func not in bucket:
            bucket.append(func)
        return func

    return register


def handlers_for(event: str) -> list[Handler]:
    return list(_handlers.get(event, ()))


def outbox_write(
    *,
    event: str,
    payload: dict[str, Any],
    dedupe_key: str | None = None,
    delay: timedelta | None = None,
) -> OutboxMessage | None:
    """Record a message in the caller's transaction. With a ``dedupe_key`` already used, do nothing."""
    now = timezone.now()
    message = OutboxMessage(
        event=event,
        payload=payload,
        dedupe_key=dedupe_key,
        created_at=now,
        available_at=now + delay if delay else now,
    )
    if dedupe_key is None:
        message.save()
    else:
        try:
            with transaction.atomic():  # a savepoint: a duplicate must not break the caller's transaction
                message.save()
        except IntegrityError:
            return None
    if not delay:
        transaction.on_commit(_kick_relay)
    return message


_last_kick: dict[str, float] = {}


def kick(task: Any) -> None:
    """Start ``task`` now rather than at its next beat run, at most once per interval per process: one run
    drains everything due, so under load (many commits a second) most kicks would be redundant broker
    round trips inside web requests. Work written just after a skipped kick waits for the periodic run."""
    if not settings.OUTBOX_KICK_ON_COMMIT:
        return
    now = time.monotonic()
    if now - _last_kick.get(task.name, float("-inf")) < settings.OUTBOX_KICK_MIN_INTERVAL.total_seconds():
        return
    _last_kick[task.name] = now
    try:
        task.delay()
    except Exception:  # the broker being down must not fail the request; beat picks the work up later
        logger.warning("could not start %s now; the periodic run will do it", task.name, exc_info=True)


def _kick_relay() -> None:
    from helpdesk.tasks import outbox_relay

    kick(outbox_relay)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 10 * 2 ** max(0, attempts - 1)))


def relay(*, batch_size: int = 100, max_batches: int = 20) -> int:
    """Deliver due messages; returns how many were delivered. Safe to run concurrently."""
    delivered = 0
    for _ in range(max_batches):
        done, seen = _relay_batch(batch_size)
        delivered += done
        # Keep going while there was work: handlers may have written follow-up rows (a fan-out's emails).
        if seen == 0 or done == 0:
            break
    return delivered


def _relay_batch(batch_size: int) -> tuple[int, int]:
    now = timezone.now()
    delivered = 0
    with transaction.atomic():
        due = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(dispatched_at__isnull=True, failed_at__isnull=True, available_at__lte=now)
            .order_by("available_at", "id")[:batch_size]
        )
        messages = list(due)
        for message in messages:
            try:
                with transaction.atomic():  # a failing handler rolls back its own writes only
                    for handler in handlers_for(message.event):
                        handler(message.pk, message.payload)
            except Exception as exc:  # any handler failure is retried, never lost
                attempts = message.attempts + 1
                failed = attempts >= settings.OUTBOX_MAX_ATTEMPTS
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=F("attempts") + 1,
                    available_at=now + _backoff(attempts),
                    failed_at=now if failed else None,
                    last_error=f"{type(exc).__name__}: {exc}"[:500],
                )
                logger.warning(
                    "outbox: %s#%s failed (attempt %s%s)",
                    message.event,
                    message.pk,
                    attempts,
                    ", giving up" if failed else "",
                )
                continue
            OutboxMessage.objects.filter(pk=message.pk).update(
                dispatched_at=timezone.now(), attempts=F("attempts") + 1
            )
            delivered += 1
    return delivered, len(messages)


@outbox_handler("upload.sanitize")
def _sanitize_upload(message_id: int, payload: dict[str, Any]) -> None:
    from helpdesk.uploads import sanitize_stored

    sanitize_stored(payload["name"])
