"""Retention: the beat task deletes only what is past its retention, in batches, and can run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from helpdesk import retention, tasks
from helpdesk.models import DeliveryStatus, IdempotencyRecord, OutboxMessage, WebhookDelivery, WebhookEndpoint
from tests.factories import claim_platform

pytestmark = pytest.mark.django_db


def ago(**kwargs: float):
    return timezone.now() - timedelta(**kwargs)


def outbox_row(name: str, **fields) -> OutboxMessage:
    return OutboxMessage.objects.create(event="notification.email", payload={"name": name}, **fields)


def delivery(endpoint: WebhookEndpoint, name: str, status: str, created_at) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint, msg_id=f"msg_{name}", event="claim.filed", payload={}, status=status,
        created_at=created_at,
    )  # fmt: skip


def idempotency_key(key: str, created_at) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(client="user:1", scope="claims", key=key, created_at=created_at)


@pytest.fixture
def retention_settings(settings):
    settings.OUTBOX_RETENTION = timedelta(days=14)
    settings.WEBHOOK_DELIVERY_RETENTION = timedelta(days=30)
    settings.IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
    settings.PRUNE_BATCH_SIZE = 2  # several batches even with a handful of rows
    return settings


def test_prune_deletes_only_what_is_past_retention(retention_settings, monkeypatch):
    monkeypatch.setattr(retention, "_pruners", {})
    for i in range(5):
        outbox_row(f"old-sent-{i}", dispatched_at=ago(days=15))
    keep = [
        outbox_row("recent-sent", dispatched_at=ago(days=13)),
        outbox_row("old-failed", failed_at=ago(days=60), created_at=ago(days=60)),
        outbox_row("old-pending", created_at=ago(days=60), available_at=ago(days=60)),
    ]
    for i in range(3):
        IdempotencyRecord.objects.create(
            client="user:1", scope="claims", key=f"old-{i}", created_at=ago(hours=25)
        )
    fresh_key = IdempotencyRecord.objects.create(
        client="user:1", scope="claims", key="new", created_at=ago(hours=23)
    )
    endpoint = WebhookEndpoint.objects.create(
        platform_id=claim_platform().pk, url="https://hooks.example.com/x", secret="whsec_x"
    )
    delivery(endpoint, "old-ok", DeliveryStatus.SUCCEEDED, ago(days=31))
    delivery(endpoint, "old-dead", DeliveryStatus.DEAD, ago(days=31))
    kept_deliveries = {
        delivery(endpoint, "new-ok", DeliveryStatus.SUCCEEDED, ago(days=29)).pk,
        delivery(endpoint, "old-retrying", DeliveryStatus.FAILED, ago(days=31)).pk,
        delivery(endpoint, "old-pending", DeliveryStatus.PENDING, ago(days=31)).pk,
    }

    removed = retention.prune()

    assert removed == {"outbox": 5, "idempotency_keys": 3, "webhook_deliveries": 2, "api_tokens": 0}
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {m.pk for m in keep}
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [fresh_key.pk]
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == kept_deliveries
    # Idempotent: a second run (or a second beat) finds nothing more.
    assert retention.prune() == {"outbox": 0, "idempotency_keys": 0, "webhook_deliveries": 0, "api_tokens": 0}


def test_retention_follows_the_settings(retention_settings, monkeypatch):
    monkeypatch.setattr(retention, "_pruners", {})
    outbox_row("sent-3-days-ago", dispatched_at=ago(days=3))
    assert retention.prune()["outbox"] == 0
    retention_settings.OUTBOX_RETENTION = timedelta(days=2)
    assert retention.prune()["outbox"] == 1


def test_apps_pruners_run_with_the_core_ones(retention_settings, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(retention, "_pruners", {})
    retention.register_pruner("guest_drafts", lambda: calls.append("drafts") or 7)
    assert tasks.prune()["guest_drafts"] == 7
    assert calls == ["drafts"]


def test_expired_guest_drafts_have_their_own_frequent_sweep():
    """Drafts live DRAFT_TTL (2 h): their purge runs every 15 min, not with the hourly prune."""
    schedule = {entry["task"]: entry["schedule"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["tickets.purge_draft_files"] <= 900
    assert "guest_drafts" not in retention._pruners


def test_prune_is_on_the_beat_schedule():
    tasks_scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "helpdesk.prune" in tasks_scheduled and "helpdesk.outbox_relay" in tasks_scheduled


def test_a_bad_retention_value_stops_start_up():
    from tests.helpdesk.test_settings import run_manage

    result = run_manage("check", env={"DEBUG": "true", "WEBHOOK_DELIVERY_RETENTION": "a month"})
    assert result.returncode != 0 and "WEBHOOK_DELIVERY_RETENTION" in result.stderr
