"""Webhooks to platforms: Standard Webhooks signatures, retries kept in the database, 410, SSRF, replay."""

from __future__ import annotations

import itertools
import json
import random
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from helpdesk import webhook_signing, webhooks
from helpdesk.models import AuditEntry, DeliveryStatus, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(http_receiver, directory_admin) -> WebhookEndpoint:
    return webhooks.webhook_endpoint_create(
        actor=directory_admin,
        platform_id=7,
        url=http_receiver.url + "/hooks/claimdesk",
        events=["claim.filed", "claim.resolved"],
    )


def test_only_subscribed_enabled_endpoints_of_the_platform_get_a_delivery(endpoint, directory_admin):
    other = webhooks.webhook_endpoint_create(
        actor=directory_admin, platform_id=8, url="https://example.com/h", events=[]
    )
    assert webhooks.webhook_enqueue(platform_id=7, event="claim.filed", data={"reference": "XY-1"}) == 1
    assert webhooks.webhook_enqueue(platform_id=7, event="claim.replied", data={}) == 0
    webhooks.webhook_endpoint_set_enabled(actor=directory_admin, endpoint=other, enabled=False, reason="test")
    assert webhooks.webhook_enqueue(platform_id=8, event="claim.filed", data={}) == 0


def test_a_delivery_is_signed_so_the_platform_can_verify_it(endpoint, http_receiver):
    webhooks.webhook_enqueue(platform_id=7, event="claim.filed", data={"reference": "XY-20261122-7K3Q9M"})
    assert webhooks.deliver_due() == 1
    [request] = http_receiver.received
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert webhook_signing.verify(
        secret=endpoint.secret, headers_=headers, body=request["body"], now=int(timezone.now().timestamp())
    )
    body = json.loads(request["body"])
    assert body["type"] == "claim.filed" and body["data"]["reference"] == "XY-20261122-7K3Q9M"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.msg_id == headers["webhook-id"]
    assert webhooks.deliver_due() == 0  # delivered once


def test_failures_retry_on_the_schedule_then_give_up(endpoint, http_receiver):
    http_receiver.statuses = [500] * 20
    webhooks.webhook_enqueue(platform_id=7, event="claim.filed", data={})
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        webhooks.deliver_due()
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
        first_wait = delivery.next_attempt_at - start
        assert timedelta(seconds=4) <= first_wait <= timedelta(seconds=6)
        assert webhooks.deliver_due() == 0 and len(http_receiver.received) == 1  # not due yet
        total = timedelta(0)
        for _ in range(10):
            delivery.refresh_from_db()
            if delivery.status == DeliveryStatus.DEAD:
                break
            wait = delivery.next_attempt_at - timezone.now()
            total += wait
            clock.shift(wait + timedelta(seconds=1))
            webhooks.deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DEAD
    assert delivery.attempts == len(webhooks.RETRY_SCHEDULE) + 1
    assert timedelta(hours=20) < total < timedelta(hours=34)  # "about a day", with jitter
    assert delivery.last_status_code == 500


def test_backoff_has_jitter_and_grows():
    rng = random.Random(1)
    waits = [webhooks.next_delay(n, rng=rng) for n in range(1, 8)]
    assert all(a < b for a, b in itertools.pairwise(waits[:6]))
    assert webhooks.next_delay(8) is None
    assert {webhooks.next_delay(2, rng=random.Random(s)) for s in range(5)} != {timedelta(minutes=5)}


def test_410_gone_disables_the_endpoint(endpoint, http_receiver):
    http_receiver.statuses = [410]
    webhooks.webhook_enqueue(platform_id=7, event="claim.filed", data={})
    webhooks.deliver_due()
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DEAD
    assert AuditEntry.objects.filter(action="webhook.endpoint_disabled").exists()


def test_private_addresses_are_never_called(settings, directory_admin):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    webhooks.webhook_endpoint_create(
        actor=directory_admin, platform_id=9, url="http://169.254.169.254/latest", events=[]
    )
    webhooks.webhook_enqueue(platform_id=9, event="claim.filed", data={})
    webhooks.deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error.startswith("blocked")
    assert delivery.last_status_code is None


def test_a_rotated_secret_signs_alongside_the_old_one_for_a_while(endpoint, http_receiver, directory_admin):
    old = endpoint.secret
    new = webhooks.webhook_secret_rotate(actor=directory_admin, endpoint=endpoint)
    webhooks.webhook_enqueue(platform_id=7, event="claim.filed", data={})
    webhooks.deliver_due()
    headers = {k.lower(): v for k, v in http_receiver.received[0]["headers"].items()}
    now = int(timezone.now().timestamp())
    body = http_receiver.received[0]["body"]
    assert webhook_signing.verify(secret=old, headers_=headers, body=body, now=now)
    assert webhook_signing.verify(secret=new, headers_=headers, body=body, now=now)
    endpoint.refresh_from_db()
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert webhooks.signing_secrets(endpoint) == [new]


def test_a_leased_delivery_is_not_taken_twice_and_returns_after_a_crash(endpoint):
    webhooks.webhook_enqueue(platform_id=7, event="claim.filed", data={})
    assert len(webhooks._claim_due(10)) == 1
    assert webhooks._claim_due(10) == []  # another sender sees nothing while the lease holds
    with time_machine.travel(timezone.now() + webhooks.LEASE + timedelta(seconds=1)):
        assert len(webhooks._claim_due(10)) == 1  # the "crashed" sender's row comes back


def test_replay_sends_the_same_payload_again(endpoint, http_receiver, directory_admin):
    webhooks.webhook_enqueue(platform_id=7, event="claim.resolved", data={"reference": "XY-2"})
    webhooks.deliver_due()
    original = WebhookDelivery.objects.get()
    copy = webhooks.webhook_delivery_replay(actor=directory_admin, delivery=original)
    webhooks.deliver_due()
    assert len(http_receiver.received) == 2
    assert json.loads(http_receiver.received[1]["body"])["data"] == {"reference": "XY-2"}
    assert copy.msg_id != original.msg_id
    assert AuditEntry.objects.filter(action="webhook.replayed").exists()


def test_unknown_events_are_refused(directory_admin):
    with pytest.raises(ValueError):
        webhooks.webhook_endpoint_create(
            actor=directory_admin, platform_id=1, url="https://example.com/", events=["claim.deleted"]
        )
