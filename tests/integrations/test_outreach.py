"""The third failed top-up within the window: one outreach per customer and window, a notification with
the official channels and a pre-filled claim, the list for the customer, the proactive marker for agents."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from helpdesk.models import OutboxMessage
from integrations.models import Outreach, PlatformEvent
from integrations.services import match_pending, outreach_consider
from tests.support.contacts import admin_a, admin_b, publish  # noqa: F401 - fixtures
from tests.support.integrations import event
from tests.support.tickets import claim_input
from tickets.claims.services import claim_create

URL = "/api/v1/platform/events/"


def _failures(client, customer, times, *, prefix="f", kind="topup.failed"):
    events = [
        event(f"{prefix}{i}", kind, email=customer.email, at=at, number=f"T{prefix}{i}")
        for i, at in enumerate(times)
    ]
    assert client.post(URL, events, format="json").status_code == 202


def test_the_third_failure_within_the_window_reaches_out_once(platform_client, platform, customer):
    client = platform_client()
    now = timezone.now()
    _failures(client, customer, [now - timedelta(minutes=m) for m in (40, 30)])
    match_pending()
    assert not Outreach.objects.exists()
    _failures(client, customer, [now - timedelta(minutes=20)], prefix="g")
    match_pending()
    outreach = Outreach.objects.get()
    assert outreach.customer_id == customer.pk and outreach.orders.count() == 3
    # A fourth and fifth failure in the same window change nothing.
    _failures(client, customer, [now - timedelta(minutes=10), now - timedelta(minutes=5)], prefix="h")
    match_pending()
    assert Outreach.objects.count() == 1
    notes = [
        m
        for m in OutboxMessage.objects.filter(event="notification.send")
        if m.payload["event"] == "outreach.created"
    ]
    assert len(notes) == 1
    context = notes[0].payload["context"]
    assert context["platform"] == platform.name and "/claims/new/?" in context["claim_url"]
    assert "Tf0" in context["orders"]


def test_failures_spread_wider_than_the_window_do_not_count(platform_client, customer, settings):
    settings.OUTREACH_FAILED_TOPUPS_WINDOW = timedelta(minutes=30)
    now = timezone.now()
    _failures(platform_client(), customer, [now - timedelta(minutes=m) for m in (90, 50, 10)])
    match_pending()
    assert not Outreach.objects.exists()


def test_a_success_in_between_resets_the_count(platform_client, customer):
    client = platform_client()
    now = timezone.now()
    _failures(client, customer, [now - timedelta(minutes=m) for m in (40, 35)])
    _failures(client, customer, [now - timedelta(minutes=30)], prefix="s", kind="topup.succeeded")
    _failures(client, customer, [now - timedelta(minutes=20)], prefix="g")
    match_pending()
    assert not Outreach.objects.exists()
    _failures(client, customer, [now - timedelta(minutes=10)], prefix="h")
    _failures(client, customer, [now - timedelta(minutes=5)], prefix="i")
    match_pending()
    assert Outreach.objects.count() == 1  # three failures after the success


def test_a_new_window_after_the_first_one_ends_can_reach_out_again(platform_client, customer, settings):
    settings.OUTREACH_FAILED_TOPUPS_WINDOW = timedelta(minutes=30)
    client = platform_client()
    now = timezone.now()
    _failures(client, customer, [now - timedelta(minutes=m) for m in (100, 95, 90)])
    match_pending()
    _failures(client, customer, [now - timedelta(minutes=m) for m in (20, 15, 10)], prefix="g")
    match_pending()
    assert Outreach.objects.count() == 2


def test_an_unknown_customer_gets_no_outreach(platform_client):
    from helpdesk.models import User

    ghost = User(email="ghost@example.com")
    _failures(platform_client(), ghost, [timezone.now() - timedelta(minutes=m) for m in (3, 2, 1)])
    match_pending()
    assert not Outreach.objects.exists()


def test_the_customer_lists_their_outreaches(platform_client, platform, customer, other_customer, login_as):
    now = timezone.now()
    _failures(platform_client(), customer, [now - timedelta(minutes=m) for m in (3, 2, 1)])
    match_pending()
    body = login_as(customer).get("/api/v1/outreach/").json()
    assert len(body) == 1
    item = body[0]
    assert item["platform"] == {"slug": platform.slug, "name": platform.name}
    assert [o["number"] for o in item["orders"]] == ["Tf0", "Tf1", "Tf2"]
    assert item["orders"][0]["amount"] == "100.00"
    assert item["claim_url"].startswith("/claims/new/?")
    login_as(other_customer)
    assert login_as(other_customer).get("/api/v1/outreach/").json() == []


def test_the_link_pre_fills_the_claim_form(platform_client, platform, customer, login_as):
    now = timezone.now()
    _failures(platform_client(), customer, [now - timedelta(minutes=m) for m in (3, 2, 1)])
    match_pending()
    link = login_as(customer).get("/api/v1/outreach/").json()[0]["claim_url"]
    page = login_as(customer).get(link).content.decode()
    assert 'value="Tf2"' in page and 'value="100.00"' in page
    assert "Tf0" in page  # the description lists every failed order


def test_a_claim_filed_from_the_outreach_is_proactive_in_the_queue(
    platform_client, platform, customer, login_as, supervisor
):
    now = timezone.now()
    _failures(platform_client(), customer, [now - timedelta(minutes=m) for m in (3, 2, 1)])
    match_pending()
    claim = claim_create(customer=customer, data=claim_input(platform, order_number="Tf2"))
    assert claim.urgency_parts["proactive"] > 0
    page = login_as(supervisor).get("/agent/queue/").content.decode()
    assert 'data-testid="proactive"' in page


def test_unique_constraint_is_the_last_word(platform, customer):
    at = timezone.now()
    Outreach.objects.create(platform=platform, customer=customer, window_start=at, window_end=at)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Outreach.objects.create(platform=platform, customer=customer, window_start=at, window_end=at)


@pytest.mark.django_db(transaction=True)
def test_exactly_one_outreach_under_concurrent_events_on_postgresql(postgres, platform, customer):
    """Six failures processed by six workers at once: one outreach, one notification."""
    now = timezone.now()
    events = [
        PlatformEvent.objects.create(
            platform=platform,
            event_id=f"c{i}",
            type="topup.failed",
            occurred_at=now - timedelta(minutes=10 - i),
            customer=customer,
            order_number=f"C{i}",
        )
        for i in range(6)
    ]
    barrier = threading.Barrier(len(events))
    errors: list[BaseException] = []

    def work(event_row: PlatformEvent) -> None:
        try:
            barrier.wait()
            outreach_consider(platform_id=platform.pk, customer_id=customer.pk, at=event_row.occurred_at)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(e,)) for e in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Outreach.objects.count() == 1
    notes = [
        m
        for m in OutboxMessage.objects.filter(event="notification.send")
        if m.payload["event"] == "outreach.created"
    ]
    assert len(notes) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_matching_workers_create_one_outreach_on_postgresql(postgres, platform, customer):
    now = timezone.now()
    PlatformEvent.objects.bulk_create(
        [
            PlatformEvent(
                platform=platform,
                event_id=f"m{i}",
                type="topup.failed",
                occurred_at=now - timedelta(minutes=30 - i),
                customer_email=customer.email,
                order_number=f"M{i}",
            )
            for i in range(12)
        ]
    )
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            match_pending(batch_size=3)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert not PlatformEvent.objects.filter(matched_at=None).exists()
    assert Outreach.objects.count() == 1


def test_the_outreach_names_only_the_directorys_published_channels(
    platform_client,
    platform,
    customer,
    publish,  # noqa: F811 (a fixture)
    admin_a,  # noqa: F811 (a fixture)
):
    from contacts import services as directory
    from tests.support.contacts import draft, evidence

    publish(platform)  # 400-612-3456, published by two admins
    directory.channel_propose(  # proposed, not approved: never called official
        actor=admin_a, platform=platform, draft=draft(value="400-999-8888"), evidence=evidence()
    )
    now = timezone.now()
    _failures(platform_client(), customer, [now - timedelta(minutes=m) for m in (3, 2, 1)])
    match_pending()
    note = next(
        m
        for m in OutboxMessage.objects.filter(event="notification.send")
        if m.payload["event"] == "outreach.created"
    )
    assert "400-612-3456" in note.payload["context"]["channels"]
    assert "400-999-8888" not in note.payload["context"]["channels"]
