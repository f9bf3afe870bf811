"""The transactional outbox: written with the change, delivered once after commit, retried on failure."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from helpdesk import outbox
from helpdesk.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def test_event(monkeypatch):
    monkeypatch.setattr(outbox, "_events", {**outbox._events, "test.event": __name__})


@pytest.fixture
def received(monkeypatch):
    calls: list[tuple[int, dict]] = []
    monkeypatch.setattr(
        outbox, "_handlers", {"test.event": [lambda mid, payload: calls.append((mid, payload))]}
    )
    return calls


def test_a_message_rolled_back_with_its_change_is_never_delivered(received):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.outbox_write(event="test.event", payload={"claim_id": 1})
        raise RuntimeError("the change failed")
    assert outbox.relay() == 0
    assert received == []


def test_it_delivers_each_message_once(received):
    message = outbox.outbox_write(event="test.event", payload={"claim_id": 7})
    assert outbox.relay() == 1
    assert outbox.relay() == 0
    assert received == [(message.pk, {"claim_id": 7})]
    message.refresh_from_db()
    assert message.dispatched_at is not None


def test_a_dedupe_key_makes_the_second_write_a_no_op(received):
    assert outbox.outbox_write(event="test.event", payload={}, dedupe_key="sla:1:first:breach")
    with transaction.atomic():
        assert outbox.outbox_write(event="test.event", payload={}, dedupe_key="sla:1:first:breach") is None
        # the caller's transaction is still usable after the duplicate
        outbox.outbox_write(event="test.event", payload={"after": True})
    assert OutboxMessage.objects.count() == 2


def test_a_failing_handler_is_retried_with_backoff_then_given_up(monkeypatch, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2

    def broken(mid: int, payload: dict) -> None:
        raise ConnectionError("gateway down")

    monkeypatch.setattr(outbox, "_handlers", {"test.event": [broken]})
    message = outbox.outbox_write(event="test.event", payload={})
    assert outbox.relay() == 0
    message.refresh_from_db()
    assert message.attempts == 1 and message.failed_at is None
    assert message.available_at > timezone.now()
    assert "gateway down" in message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now() - timedelta(seconds=1))
    outbox.relay()
    message.refresh_from_db()
    assert message.attempts == 2 and message.failed_at is not None


def test_a_delayed_message_waits_until_it_is_due(received):
    outbox.outbox_write(event="test.event", payload={}, delay=timedelta(minutes=5))
    assert outbox.relay() == 0
    OutboxMessage.objects.update(available_at=timezone.now())
    assert outbox.relay() == 1


def test_the_relay_is_kicked_after_commit_when_enabled(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OUTBOX_KICK_ON_COMMIT = True
    kicked: list[str] = []
    monkeypatch.setattr(outbox, "_send_task", kicked.append)
    monkeypatch.setattr(outbox, "_last_kick", {})
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_write(event="test.event", payload={})
    assert kicked == ["helpdesk.outbox_relay"]
    with django_capture_on_commit_callbacks(execute=True):  # within the interval: the same run drains it
        outbox.outbox_write(event="test.event", payload={})
    assert kicked == ["helpdesk.outbox_relay"]


# --- leases: claim, commit, then act ----------------------------------------------------------------------
class WorkerDied(BaseException):
    """Stands for SIGKILL or the hard time limit: not an ``Exception``, nothing catches it."""


def _sender(monkeypatch, *, fail_on=(), die_on=()):
    """An external (e-mail-like) handler that records every send; may fail or die on given payloads."""
    sent: list[int] = []

    def send(mid: int, payload: dict) -> None:
        if payload["n"] in die_on:
            die_on.remove(payload["n"])
            sent.append(payload["n"])  # the e-mail left before the worker died
            raise WorkerDied
        if payload["n"] in fail_on:
            fail_on.remove(payload["n"])
            raise ConnectionError("SMTP 421")
        sent.append(payload["n"])

    monkeypatch.setattr(outbox, "_handlers", {"test.event": [send]})
    monkeypatch.setattr(outbox, "_external", {send})
    return sent


def _write(count: int) -> list[OutboxMessage]:
    return [outbox.outbox_write(event="test.event", payload={"n": n}) for n in range(count)]


def _expire_leases() -> None:
    OutboxMessage.objects.filter(lease_until__isnull=False).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )


def _make_due() -> None:
    OutboxMessage.objects.update(available_at=timezone.now() - timedelta(seconds=1))


def test_a_failing_message_mid_batch_leaves_only_itself_for_retry(monkeypatch):
    sent = _sender(monkeypatch, fail_on=[2])
    messages = _write(5)
    assert outbox.relay() == 4
    assert sorted(sent) == [0, 1, 3, 4]
    failed = OutboxMessage.objects.get(pk=messages[2].pk)
    assert failed.dispatched_at is None and failed.attempts == 1 and "SMTP 421" in failed.last_error
    assert failed.available_at > timezone.now() and failed.locked_by == "" and failed.lease_until is None
    _make_due()
    assert outbox.relay() == 1
    assert sorted(sent) == [0, 1, 2, 3, 4]  # each sent exactly once
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()


def test_a_crash_resends_at_most_the_message_in_flight_once_its_lease_expires(monkeypatch):
    sent = _sender(monkeypatch, die_on=[2])
    _write(5)
    with pytest.raises(WorkerDied):
        outbox.relay()
    assert sent == [0, 1, 2]
    assert OutboxMessage.objects.filter(dispatched_at__isnull=False).count() == 2
    # The dead run's rows stay leased: a run right away does not touch them.
    assert outbox.relay() == 0
    _expire_leases()
    assert outbox.relay() == 3
    assert sorted(sent) == [0, 1, 2, 2, 3, 4]  # only the one in flight went twice
    in_flight = OutboxMessage.objects.get(payload__n=2)
    assert in_flight.attempts == 2 and in_flight.dispatched_at is not None
    untouched = OutboxMessage.objects.get(payload__n=3)
    assert untouched.attempts == 1  # leased by the dead run but never started: not counted


def test_a_message_whose_worker_dies_every_time_is_given_up(monkeypatch, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    sent = _sender(monkeypatch, die_on=[0, 0])
    _write(1)
    for _ in range(2):
        with pytest.raises(WorkerDied):
            outbox.relay()
        _expire_leases()
    assert outbox.relay() == 0
    message = OutboxMessage.objects.get()
    assert message.failed_at is not None and message.attempts == 2 and "died" in message.last_error
    assert sent == [0, 0]


def test_a_run_whose_lease_was_taken_over_neither_sends_nor_marks(monkeypatch):
    sent = _sender(monkeypatch)
    (message,) = _write(1)
    slow = outbox.lease(token="slow-run", batch_size=10)
    _expire_leases()  # the slow run stalled past its lease …
    assert outbox.relay() == 1  # … and a later run delivered the message
    assert outbox.handle_one(slow[0], "slow-run") is False
    assert sent == [0]
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_run_past_its_time_budget_hands_back_what_it_did_not_start(monkeypatch):
    sent = _sender(monkeypatch)
    ticks = iter(range(1000))
    monkeypatch.setattr(outbox, "_clock", lambda: float(next(ticks)))  # one "second" per look at the clock
    monkeypatch.setattr(outbox, "RUN_BUDGET", timedelta(seconds=3))
    _write(6)
    assert outbox.relay(batch_size=6) == 2
    assert sent == [0, 1]
    assert not OutboxMessage.objects.exclude(locked_by="").exists()  # nothing stays leased
    assert OutboxMessage.objects.filter(dispatched_at__isnull=True, attempts=0).count() == 4
    monkeypatch.setattr(outbox, "RUN_BUDGET", timedelta(hours=1))
    assert outbox.relay() == 4  # the next run goes on at once, no lease to wait for
    assert sorted(sent) == list(range(6))


def test_a_database_handler_commits_its_writes_with_the_mark_or_not_at_all(monkeypatch, settings):
    from helpdesk.models import Heartbeat

    settings.OUTBOX_MAX_ATTEMPTS = 5

    def write_then_fail(mid: int, payload: dict) -> None:
        Heartbeat.objects.create(name=f"outbox-{mid}", seen_at=timezone.now())
        raise ValueError("half-way")

    monkeypatch.setattr(outbox, "_handlers", {"test.event": [write_then_fail]})
    outbox.outbox_write(event="test.event", payload={})
    assert outbox.relay() == 0
    assert not Heartbeat.objects.filter(name__startswith="outbox-").exists()


# --- the registry ------------------------------------------------------------------------------------------
@pytest.fixture
def real_registry(monkeypatch):
    """The events and handlers the apps declared, without this module's ``test.event``."""
    monkeypatch.setattr(outbox, "_events", {e: m for e, m in outbox._events.items() if e != "test.event"})


def test_writing_an_undeclared_event_raises(real_registry):
    with pytest.raises(outbox.UnknownOutboxEvent), transaction.atomic():
        outbox.outbox_write(event="claim.asigned", payload={"claim_id": 1})
    assert not OutboxMessage.objects.exists()


def test_a_message_with_no_handler_fails_instead_of_being_marked_done(monkeypatch):
    monkeypatch.setattr(outbox, "_handlers", {})
    message = outbox.outbox_write(event="test.event", payload={})
    assert outbox.relay() == 0
    message.refresh_from_db()
    assert message.dispatched_at is None and "no handler" in message.last_error


def test_every_declared_event_has_a_handler(real_registry):
    assert outbox.check_handlers() == []


def test_the_system_check_fails_when_an_event_has_no_handler(real_registry, monkeypatch):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    monkeypatch.setattr(outbox, "_events", {**outbox._events, "claim.teleported": "tickets.handlers"})
    with pytest.raises(SystemCheckError, match=r"claim\.teleported"):
        call_command("check")
    assert [e.id for e in outbox.check_handlers()] == ["outbox.E001"]


def test_the_check_also_catches_a_handler_for_an_event_nobody_writes(real_registry, monkeypatch):
    monkeypatch.setattr(outbox, "_handlers", {**outbox._handlers, "claim.filled": [lambda m, p: None]})
    assert [e.id for e in outbox.check_handlers()] == ["outbox.E002"]


def test_every_event_written_in_the_code_is_declared():
    """Collected statically: each literal ``outbox_write(event="…")`` in the apps names a declared event."""
    import re
    from pathlib import Path

    from django.conf import settings as django_settings

    root = Path(django_settings.BASE_DIR)
    written: set[str] = set()
    for app in ("helpdesk", "contacts", "tickets"):
        for path in (root / app).rglob("*.py"):
            written |= set(re.findall(r'outbox_write\(\s*event="([^"]+)"', path.read_text()))
    assert {"claim.filed", "claim.assigned", "notification.email"} <= written
    assert written <= set(outbox.declared_events()), written - set(outbox.declared_events())


# --- PostgreSQL: concurrent relays, no locks held while sending -------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_relays_never_send_the_same_message_twice(postgres, monkeypatch):
    import threading

    from django.db import connection

    lock = threading.Lock()
    sent: list[int] = []

    def send(mid: int, payload: dict) -> None:
        time.sleep(0.002)  # a gateway round trip, so the runs overlap
        with lock:
            sent.append(payload["n"])

    monkeypatch.setattr(outbox, "_handlers", {"test.event": [send]})
    monkeypatch.setattr(outbox, "_external", {send})
    _write(120)
    runs = 4
    barrier = threading.Barrier(runs)
    delivered: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            delivered.append(outbox.relay(batch_size=5, max_batches=100))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(sent) == list(range(120))  # every message, each exactly once
    assert sum(delivered) == 120
    assert len([d for d in delivered if d]) > 1, "the runs did not overlap; the test proves nothing"
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_an_external_send_runs_outside_any_transaction_with_its_row_unlocked(postgres, monkeypatch):
    import threading

    from django.db import connection

    seen: dict[str, object] = {}

    def probe_lock(mid: int) -> None:
        try:
            with transaction.atomic():
                seen["lockable"] = (
                    OutboxMessage.objects.select_for_update(nowait=True).filter(pk=mid).exists()
                )
        except Exception as exc:  # DatabaseError: the row is locked
            seen["lockable"] = exc
        finally:
            connection.close()

    def send(mid: int, payload: dict) -> None:
        seen["in_transaction"] = connection.in_atomic_block
        probe = threading.Thread(target=probe_lock, args=(mid,))
        probe.start()
        probe.join()

    monkeypatch.setattr(outbox, "_handlers", {"test.event": [send]})
    monkeypatch.setattr(outbox, "_external", {send})
    _write(3)
    assert outbox.relay() == 3
    assert seen == {"in_transaction": False, "lockable": True}


@pytest.mark.django_db(transaction=True)
def test_leasing_skips_rows_another_relay_is_leasing(postgres, monkeypatch):
    import threading

    from django.db import connection

    _write(4)
    first_two = list(OutboxMessage.objects.order_by("id").values_list("pk", flat=True)[:2])
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                list(OutboxMessage.objects.select_for_update().filter(pk__in=first_two))
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        leased = outbox.lease(token="other", batch_size=10)  # does not wait for the holder
    finally:
        release.set()
        holder.join()
    assert {m.pk for m in leased}.isdisjoint(first_two) and len(leased) == 2
