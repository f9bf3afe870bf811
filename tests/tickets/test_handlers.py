"""After commit: the customer is told and the platform's webhook endpoints receive the event."""

from __future__ import annotations

import pytest

from helpdesk import webhooks
from helpdesk.models import Notification, WebhookDelivery
from helpdesk.outbox import relay
from tests.support.tickets import claim_input
from tickets.claims import services
from tickets.models import Claim

pytestmark = pytest.mark.django_db


def deliver() -> None:
    while relay():
        pass


def test_a_filed_claim_notifies_the_customer_and_the_platform(customer, platform, directory_admin):
    webhooks.webhook_endpoint_create(
        actor=directory_admin, platform_id=platform.pk, url="https://hooks.example.com/x", events=[]
    )
    claim = services.claim_create(customer=customer, data=claim_input(platform))
    deliver()
    assert Notification.objects.filter(user=customer, event="claim.filed").exists()
    delivery = WebhookDelivery.objects.get(event="claim.filed")
    data = delivery.payload["data"]
    assert data["reference"] == claim.reference and data["order_number"] == claim.order_number
    assert "contact_phone" not in data and customer.email not in str(delivery.payload)


def test_status_changes_by_staff_notify_but_the_customers_own_do_not(customer, platform, agent):
    claim = services.claim_create(customer=customer, data=claim_input(platform))
    services.claim_withdraw(claim=Claim.objects.get(pk=claim.pk), actor=customer)
    deliver()
    assert not Notification.objects.filter(event="claim.status_changed").exists()
    claim2 = services.claim_create(customer=customer, data=claim_input(platform, order_number="X2"))
    services.claim_change_status(
        Claim.objects.get(pk=claim2.pk), agent, "resolved", kind="status_changed", action="claim.resolved"
    )
    deliver()
    note = Notification.objects.get(event="claim.status_changed")
    assert "已解决" in note.title


# --- events that used to be marked done without a word ----------------------------------------------------
def test_an_agent_hears_of_a_claim_assigned_to_them_but_not_of_one_they_took(agent, supervisor):
    from django.core.cache import cache

    from tests.factories import ClaimFactory, TeamFactory, join_team
    from tickets.desk import services as agent_services

    cache.clear()  # team ids are cached
    team = TeamFactory(slug="handlers")
    join_team(agent, team)
    handed = ClaimFactory(team=team)
    agent_services.claim_assign(claim=handed, actor=supervisor, assignee=agent)
    taken = ClaimFactory(team=team)
    agent_services.claim_assign(claim=taken, actor=agent, assignee=agent)
    deliver()
    notes = Notification.objects.filter(user=agent, event="claim.assigned")
    assert [n.url for n in notes] == [f"/agent/tickets/{handed.reference}/"]
    assert handed.reference in notes.get().title  # rendered from its template, not the bare event name
    # Staffing is internal: the customer hears only of the status change (new → open), as before.
    assert not Notification.objects.filter(user=handed.customer, event="claim.assigned").exists()
    cache.clear()


def test_the_assignee_hears_of_the_customers_reply(customer, platform, agent):
    claim = services.claim_create(customer=customer, data=claim_input(platform))
    Claim.objects.filter(pk=claim.pk).update(assignee=agent)
    services.claim_reply(claim=Claim.objects.get(pk=claim.pk), author=customer, body="订单号补充：A123")
    deliver()
    note = Notification.objects.get(user=agent, event="claim.customer_replied")
    assert claim.reference in note.title and note.url == f"/agent/tickets/{claim.reference}/"


def test_recorded_only_events_are_dispatched_and_tell_nobody(customer, platform):
    from helpdesk.models import OutboxMessage

    claim = services.claim_create(customer=customer, data=claim_input(platform))
    Claim.objects.filter(pk=claim.pk).update(status="resolved")
    services.claim_rate(claim=Claim.objects.get(pk=claim.pk), actor=customer, rating=5, comment="")
    deliver()
    rated = OutboxMessage.objects.get(event="claim.rated")
    assert rated.dispatched_at is not None and rated.failed_at is None
    assert not Notification.objects.filter(event="claim.rated").exists()
