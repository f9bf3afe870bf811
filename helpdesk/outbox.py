"""Transactional outbox: promises written with the change, carried out by Celery after commit.

A service writes ``outbox_write(event="claim.filed", payload={"claim_id": 42})`` inside its transaction.
After commit a relay task is kicked (and beat runs it every few seconds as a safety net).

Claim, commit, then act (healthchecks ``sendalerts``):
1. **Lease** a batch in one short transaction: ``SELECT … FOR UPDATE SKIP LOCKED`` (so concurrent relays
   take different rows), stamp ``locked_by`` and ``lease_until``, commit. No lock outlives this step.
2. For each leased message, **claim** it with a conditional UPDATE (still ours? count the attempt, renew
   the lease). A relay whose lease ran out and was taken over by another skips the message.
3. **Act**: a database-only handler runs in one transaction together with marking the message dispatched
   (its writes happen exactly once). A handler that talks to the outside world (``external=True``: e-mail,
   SMS) runs outside any transaction, and the message is then marked in its own short transaction.
   A crash therefore re-sends at most the one message in flight, once its lease expires (``OUTBOX_LEASE``,
   longer than the Celery hard time limit) and a later run leases it again. Batches are small and a run
   stops starting messages after ``RUN_BUDGET`` (inside the soft time limit), handing back the rest.
A handler that raises is retried with exponential backoff; after ``OUTBOX_MAX_ATTEMPTS`` the message is
marked failed and stays visible to operators. A message whose event has no handler is a failure, never
silently dispatched.

Every event the code may write is declared (``declare_events``) and ``outbox_write`` refuses any other;
the ``outbox.E001`` system check fails start-up when a declared event has no handler. An event that
deliberately needs no action is declared with ``recorded_only(event, reason=…)``: an explicit, documented
no-op, not a silent one.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core import checks
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from helpdesk.models import OutboxMessage

logger = logging.getLogger(__name__)

Handler = Callable[[int, dict[str, Any]], None]
_handlers: dict[str, list[Handler]] = {}
# Events the code may write, each with the module that declared it (for the check's message).
_events: dict[str, str] = {}
# Handlers that send to the outside world: run outside any transaction.
_external: set[Handler] = set()


class UnknownOutboxEvent(ValueError):
    """``outbox_write`` was asked for an event nobody declared: a typo, or a new event with no handler."""


def declare_events(*events: str, module: str = "") -> None:
    """Declare the events a module writes. Each needs a handler (``outbox.E001``), even a no-op one."""
    for event in events:
        _events.setdefault(event, module or "?")


def outbox_handler(event: str, *, external: bool = False) -> Callable[[Handler], Handler]:
    """Register ``func(message_id, payload)`` for ``event`` (from a module ``AppConfig.ready`` imports).

    ``external=True`` for a handler that sends something (e-mail, SMS, HTTP): it runs outside any
    transaction, so no row stays locked while a gateway answers; it must be safe to repeat (a crash
    between sending and marking repeats this one message), so it passes the message's id along as the
    recipient's dedupe key where the channel has one.
    """

    def register(func: Handler) -> Handler:
        bucket = _handlers.setdefault(event, [])
        if func not in bucket:
            bucket.append(func)
        if external:
            _external.add(func)
        return func

    return register


def recorded_only(event: str, *, reason: str) -> None:
    """Declare that ``event`` deliberately triggers nothing after commit (the row is its record)."""

    def nothing_to_do(message_id: int, payload: dict[str, Any]) -> None:
        return None

    nothing_to_do.__doc__ = reason
    nothing_to_do.__qualname__ = f"recorded_only[{event}]"
    outbox_handler(event)(nothing_to_do)


def handlers_for(event: str) -> list[Handler]:
    return list(_handlers.get(event, ()))


def declared_events() -> dict[str, str]:
    return dict(_events)


def check_handlers(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check (``manage.py check``, ``runserver``, ``migrate``): every declared event is handled."""
    problems: list[checks.CheckMessage] = []
    for event, module in sorted(_events.items()):
        if not _handlers.get(event):
            problems.append(
                checks.Error(
                    f"Outbox event {event!r} (declared in {module}) has no handler: it would be marked "
                    "failed after commit, and nobody told.",
                    hint="Register one with @outbox_handler, or declare it recorded_only(event, reason=…).",
                    id="outbox.E001",
                )
            )
    for event in sorted(set(_handlers) - set(_events)):
        problems.append(
            checks.Error(
                f"Outbox handler registered for {event!r}, which no module declares it writes.",
                hint="A typo in the event name, or a missing declare_events(...).",
                id="outbox.E002",
            )
        )
    return problems


def outbox_write(
    *,
    event: str,
    payload: dict[str, Any],
    dedupe_key: str | None = None,
    delay: timedelta | None = None,
) -> OutboxMessage | None:
    """Record a message in the caller's transaction. With a ``dedupe_key`` already used, do nothing."""
    if event not in _events:
        raise UnknownOutboxEvent(f"outbox event {event!r} is not declared (declare_events)")
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

# The relay task's registered name (helpdesk/tasks.py): the outbox starts it by name, so this module
# imports no task module (the tasks import the outbox, never the other way round).
RELAY_TASK = "helpdesk.outbox_relay"


def _send_task(task_name: str) -> None:
    """Start the Celery task registered as ``task_name`` (by name: the caller imports no task module)."""
    current_app.send_task(task_name)


def kick(task_name: str) -> None:
    """Start the task registered as ``task_name`` now rather than at its next beat run, at most once per
    interval per process: one run drains everything due, so under load (many commits a second) most kicks
    would be redundant broker round trips inside web requests. Work written just after a skipped kick waits
    for the periodic run."""
    if not settings.OUTBOX_KICK_ON_COMMIT:
        return
    now = time.monotonic()
    if now - _last_kick.get(task_name, float("-inf")) < settings.OUTBOX_KICK_MIN_INTERVAL.total_seconds():
        return
    _last_kick[task_name] = now
    try:
        _send_task(task_name)
    except Exception:  # the broker being down must not fail the request; beat picks the work up later
        logger.warning("could not start %s now; the periodic run will do it", task_name, exc_info=True)


def _kick_relay() -> None:
    kick(RELAY_TASK)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 10 * 2 ** max(0, attempts - 1)))


def _relay_token() -> str:
    """Who holds a lease: host and process for operators, a random part so two runs never match."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"[:64]


def _due(now: Any) -> Any:
    return OutboxMessage.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now),
        dispatched_at__isnull=True,
        failed_at__isnull=True,
        available_at__lte=now,
    )


def lease(*, token: str, batch_size: int) -> list[OutboxMessage]:
    """Step 1: take up to ``batch_size`` due messages for ``token``, in one short transaction.

    PostgreSQL skips rows another relay is leasing right now (``SKIP LOCKED``); SQLite has no row locks
    (Django drops the clause) but serialises write transactions, and the conditional UPDATE below only
    stamps rows that are still free, so a row is never leased twice either way.
    """
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            _due(now)
            .select_for_update(skip_locked=True)
            .order_by("available_at", "id")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return []
        _due(now).filter(pk__in=ids).update(locked_by=token, lease_until=now + settings.OUTBOX_LEASE)
    return list(OutboxMessage.objects.filter(locked_by=token, pk__in=ids).order_by("available_at", "id"))


def _claim(message: OutboxMessage, token: str) -> int | None:
    """Step 2: still ours? Count the attempt and renew the lease (one autocommitted UPDATE).

    Returns the number of this attempt, or None when the message is not ours to handle."""
    now = timezone.now()
    mine = OutboxMessage.objects.filter(
        pk=message.pk, locked_by=token, dispatched_at__isnull=True, failed_at__isnull=True
    )
    attempts = message.attempts
    if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        # Every earlier attempt died with its worker (the lease expired each time): a poison message.
        mine.update(
            failed_at=now,
            locked_by="",
            lease_until=None,
            last_error="the worker died or timed out while handling it, on every attempt",
        )
        logger.warning("outbox: %s#%s given up after %s lost attempts", message.event, message.pk, attempts)
        return None
    if not mine.update(attempts=F("attempts") + 1, lease_until=now + settings.OUTBOX_LEASE):
        return None  # our lease ran out and another relay took the message over
    return attempts + 1


def _run_handlers(message: OutboxMessage) -> None:
    handlers = handlers_for(message.event)
    if not handlers:
        raise LookupError(f"no handler for outbox event {message.event!r}")
    for handler in handlers:
        handler(message.pk, message.payload)


def _mark_dispatched(message: OutboxMessage, token: str) -> bool:
    return bool(
        OutboxMessage.objects.filter(pk=message.pk, locked_by=token, dispatched_at__isnull=True).update(
            dispatched_at=timezone.now(), locked_by="", lease_until=None, last_error=""
        )
    )


def _mark_failed(message: OutboxMessage, token: str, attempts: int, exc: BaseException) -> None:
    now = timezone.now()
    failed = attempts >= settings.OUTBOX_MAX_ATTEMPTS
    OutboxMessage.objects.filter(pk=message.pk, locked_by=token).update(
        available_at=now + _backoff(attempts),
        failed_at=now if failed else None,
        locked_by="",
        lease_until=None,
        last_error=f"{type(exc).__name__}: {exc}"[:500],
    )
    giving_up = ", giving up" if failed else ""
    logger.warning("outbox: %s#%s failed (attempt %s%s)", message.event, message.pk, attempts, giving_up)


class _LeaseLost(Exception):
    pass


def handle_one(message: OutboxMessage, token: str) -> bool:
    """Steps 2–3 for one leased message; True when it was delivered by this call."""
    attempt = _claim(message, token)
    if attempt is None:
        return False
    external = any(h in _external for h in _handlers.get(message.event, ()))
    try:
        if external:
            # Outside any transaction: nothing is locked while the gateway answers.
            _run_handlers(message)
            if not _mark_dispatched(message, token):
                logger.warning("outbox: %s#%s sent after its lease was taken over", message.event, message.pk)
                return False
            return True
        with transaction.atomic():
            # Database-only work commits together with the mark: exactly once, or not at all.
            _run_handlers(message)
            if not _mark_dispatched(message, token):
                raise _LeaseLost
        return True
    except _LeaseLost:
        logger.warning("outbox: %s#%s lease taken over; its work was rolled back", message.event, message.pk)
        return False
    except Exception as exc:  # any handler failure is retried, never lost
        _mark_failed(message, token, attempt, exc)
        return False


# A run stops starting messages after this, well inside Celery's soft (60 s) and hard (90 s) limits, and
# hands back the rows it leased but did not start; the next kick or beat run (every 10 s) goes on.
RUN_BUDGET = timedelta(seconds=40)
_clock = time.monotonic


def _release(messages: list[OutboxMessage], token: str) -> None:
    """Give back leased rows this run will not start (their attempt was never counted)."""
    if messages:
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages], locked_by=token).update(
            locked_by="", lease_until=None
        )


def relay(*, batch_size: int = 20, max_batches: int = 100) -> int:
    """Deliver due messages; returns how many were delivered. Safe to run concurrently.

    Small batches: if the worker dies, the rows it leased but had not started wait for their lease.
    """
    token = _relay_token()
    deadline = _clock() + RUN_BUDGET.total_seconds()
    delivered = 0
    for _ in range(max_batches):
        messages = lease(token=token, batch_size=batch_size)
        done = 0
        for index, message in enumerate(messages):
            if _clock() >= deadline:
                _release(messages[index:], token)
                return delivered + done
            done += handle_one(message, token)
        delivered += done
        # Keep going while there was work: handlers may have written follow-up rows (a fan-out's emails).
        if not messages or done == 0:
            break
    return delivered
