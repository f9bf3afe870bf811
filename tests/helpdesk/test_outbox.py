"""The transactional outbox: written with the change, delivered once after commit, retried on failure."""

from __future__ import annotations

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
    kicked: list[bool] = []
    from helpdesk import tasks

    monkeypatch.setattr(tasks.outbox_relay, "delay", lambda: kicked.append(True))
    monkeypatch.setattr(outbox, "_last_kick", {})
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_write(event="test.event", payload={})
    assert kicked == [True]
    with django_capture_on_commit_callbacks(execute=True):  # within the interval: the same run drains it
        outbox.outbox_write(event="test.event", payload={})
    assert kicked == [True]
