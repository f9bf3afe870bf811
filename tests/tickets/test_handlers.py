"""After commit: the customer is told and the platform's webhook endpoints receive the event."""

from __future__ import annotations

import pytest

from helpdesk import webhooks
from helpdesk.models import Notification, WebhookDelivery
from helpdesk.outbox import relay
from tests.tickets.conftest import claim_input
from tickets import services
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
    services._change_status(
        Claim.objects.get(pk=claim2.pk), agent, "resolved", kind="status_changed", action="claim.resolved"
    )
    deliver()
    note = Notification.objects.get(event="claim.status_changed")
    assert "已解决" in note.title
