"""Order facts attach to claims whether they arrive before or after the claim; triage says why."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from integrations.models import OrderFact, PlatformEvent
from integrations.services import match_pending
from tests.support.integrations import event
from tests.support.tickets import claim_input
from tickets.claims.services import claim_create
from tickets.triage import urgency as triage

URL = "/api/v1/platform/events/"


def _send(client, *events):
    response = client.post(URL, list(events), format="json")
    assert response.status_code == 202, response.content
    return response.json()


def test_facts_sent_before_the_claim_are_matched_when_it_is_filed(platform_client, platform, customer):
    _send(platform_client(), event("e1", number="20240520001", email=customer.email))
    assert match_pending() == 1
    claim = claim_create(customer=customer, data=claim_input(platform))
    assert claim.urgency_parts["platform_confirmed"] == triage.PLATFORM_CONFIRMED_POINTS
    assert PlatformEvent.objects.get().customer_id == customer.pk


def test_facts_sent_after_the_claim_retriage_it(platform_client, platform, customer):
    claim = claim_create(customer=customer, data=claim_input(platform))
    assert "platform_confirmed" not in claim.urgency_parts
    _send(platform_client(), event("e1", number="20240520001", email=customer.email))
    match_pending()
    claim.refresh_from_db()
    assert claim.urgency_parts["platform_confirmed"] == triage.PLATFORM_CONFIRMED_POINTS
    assert claim.urgency_score == sum(v for v in claim.urgency_parts.values() if isinstance(v, int))
    # "Why is this P1?" names it.
    label = str(triage.PART_LABELS["platform_confirmed"])
    assert (label, triage.PLATFORM_CONFIRMED_POINTS) in triage.explain(claim.urgency_parts)


def test_a_later_delivery_removes_the_confirmation(platform_client, platform, customer):
    claim = claim_create(customer=customer, data=claim_input(platform))
    client = platform_client()
    now = timezone.now()
    _send(client, event("e1", number="20240520001", at=now - timedelta(minutes=20)))
    _send(client, event("e2", "order.delivered", number="20240520001", at=now - timedelta(minutes=5)))
    match_pending()
    claim.refresh_from_db()
    assert "platform_confirmed" not in claim.urgency_parts
    fact = OrderFact.objects.get()
    assert fact.last_event_type == "order.delivered" and fact.delivered_at is not None


def test_the_newest_event_wins_even_when_it_arrives_first(platform_client, platform):
    client = platform_client()
    now = timezone.now()
    _send(client, event("new", "order.refunded", number="A1", amount="90.00", at=now - timedelta(minutes=1)))
    _send(client, event("old", "topup.failed", number="A1", amount="100.00", at=now - timedelta(minutes=30)))
    match_pending()
    fact = OrderFact.objects.get()
    assert fact.last_event_type == "order.refunded" and fact.amount == Decimal("90.00")
    assert fact.topup_failed_at is not None


def test_matching_is_idempotent_and_marks_every_event(platform_client, platform):
    _send(platform_client(), *[event(f"e{i}", number=f"N{i}") for i in range(30)])
    assert match_pending(batch_size=7) == 30
    assert match_pending() == 0
    assert not PlatformEvent.objects.filter(matched_at=None).exists()
    assert OrderFact.objects.count() == 30


def test_another_platforms_order_with_the_same_number_does_not_attach(
    platform_client, platform, other_platform, customer
):
    claim = claim_create(customer=customer, data=claim_input(platform))
    _send(platform_client(for_platform=other_platform), event("e1", number="20240520001"))
    match_pending()
    claim.refresh_from_db()
    assert "platform_confirmed" not in claim.urgency_parts


def test_the_workspace_shows_the_facts_next_to_the_customers_with_mismatches(
    platform_client, platform, customer, login_as, supervisor
):
    claim = claim_create(customer=customer, data=claim_input(platform))
    _send(
        platform_client(),
        event("e1", "order.delivered", number="20240520001", amount="150.00"),
    )
    match_pending()
    page = login_as(supervisor).get(f"/agent/tickets/{claim.reference}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="platform-facts"' in html
    assert "150.00 CNY" in html and "100.00 CNY" in html
    # Amount and status differ (the customer says not credited; the platform says delivered).
    assert html.count('data-testid="fact-mismatch"') >= 2


def test_the_workspace_says_when_the_platform_sent_nothing(platform, customer, login_as, supervisor):
    claim = claim_create(customer=customer, data=claim_input(platform))
    html = login_as(supervisor).get(f"/agent/tickets/{claim.reference}/").content.decode()
    assert 'data-testid="platform-facts"' in html and "fact-mismatch" not in html


def test_matched_events_past_retention_are_pruned(platform_client, platform, settings):
    from integrations.services import platform_events_prune

    _send(platform_client(), event("old", number="A1"), event("new", number="A2"))
    match_pending()
    _send(platform_client(), event("unmatched", number="A3"))
    PlatformEvent.objects.filter(event_id__in=["old", "unmatched"]).update(
        received_at=timezone.now() - settings.PLATFORM_EVENT_RETENTION - timedelta(days=1)
    )
    assert platform_events_prune() == 1
    assert set(PlatformEvent.objects.values_list("event_id", flat=True)) == {"new", "unmatched"}
    assert OrderFact.objects.count() == 2  # the facts stay


def test_a_stale_fact_written_by_a_racing_worker_does_not_overwrite_a_newer_one(postgres, platform):
    from integrations.services import _upsert_facts

    now = timezone.now()
    newer = OrderFact(
        platform=platform,
        order_number="R1",
        amount=Decimal("90.00"),
        status="refunded",
        last_event_type="order.refunded",
        last_event_at=now,
        delivered_at=now,
    )
    stale = OrderFact(
        platform=platform,
        order_number="R1",
        amount=Decimal("100.00"),
        status="paid",
        merchant="星云数码",
        last_event_type="topup.failed",
        last_event_at=now - timedelta(hours=1),
        topup_failed_at=now - timedelta(hours=1),
    )
    _upsert_facts([newer])
    _upsert_facts([stale])
    fact = OrderFact.objects.get()
    assert (fact.amount, fact.status, fact.last_event_type) == (
        Decimal("90.00"),
        "refunded",
        "order.refunded",
    )
    assert fact.merchant == "星云数码"  # unknown before: the older event fills it
    assert fact.delivered_at == now and fact.topup_failed_at is not None and fact.last_event_at == now
