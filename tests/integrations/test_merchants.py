from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from integrations.selectors import high_complaint_merchants, merchant_rates
from integrations.services import match_pending
from tests.factories import ClaimFactory
from tests.support.integrations import event
from tests.support.tickets import claim_input
from tickets.claims.services import claim_create


def _deliver(client, count: int, merchant: str, prefix: str) -> None:
    now = timezone.now()
    events = [
        event(
            f"{prefix}{i}",
            "order.delivered",
            number=f"{prefix}{i}",
            merchant=merchant,
            at=now - timedelta(hours=i),
        )
        for i in range(count)
    ]
    assert client.post("/api/v1/platform/events/", events, format="json").status_code == 202
    match_pending()


def test_the_complaint_rate_is_claims_per_delivered_order_over_30_days(platform_client, platform, settings):
    settings.MERCHANT_MIN_DELIVERED = 10
    client = platform_client()
    _deliver(client, 20, "坏商家", "B")
    _deliver(client, 20, "好商家", "G")
    for i in range(4):
        ClaimFactory(platform=platform, order_number=f"B{i}")
    ClaimFactory(platform=platform, order_number="G0")
    ClaimFactory(platform=platform, order_number="B5", created_at=timezone.now() - timedelta(days=40))
    rates = {row.merchant: row for row in merchant_rates()}
    assert (rates["坏商家"].claimed, rates["坏商家"].delivered) == (4, 20)
    assert (rates["好商家"].claimed, rates["好商家"].delivered) == (1, 20)
    # Worst first; 5 % is exactly the default threshold.
    assert [row.merchant for row in high_complaint_merchants()] == ["坏商家", "好商家"]
    settings.MERCHANT_COMPLAINT_RATE = Decimal("0.10")
    assert [row.merchant for row in high_complaint_merchants()] == ["坏商家"]


def test_a_high_complaint_merchant_feeds_triage(platform_client, platform, customer, settings):
    settings.MERCHANT_MIN_DELIVERED = 5
    client = platform_client()
    _deliver(client, 10, "坏商家", "B")
    for i in range(3):
        ClaimFactory(platform=platform, order_number=f"B{i}")
    claim = claim_create(customer=customer, data=claim_input(platform, order_number="B7"))
    assert claim.urgency_parts["merchant_risk"] > 0


def test_too_few_orders_are_not_a_rate(platform_client, platform, settings):
    settings.MERCHANT_MIN_DELIVERED = 20
    _deliver(platform_client(), 3, "新商家", "N")
    ClaimFactory(platform=platform, order_number="N0")
    assert high_complaint_merchants() == []


def test_supervisors_see_the_list_and_agents_get_404(
    platform_client, platform, settings, login_as, supervisor, agent
):
    settings.MERCHANT_MIN_DELIVERED = 5
    _deliver(platform_client(), 5, "坏商家", "B")
    ClaimFactory(platform=platform, order_number="B1")
    page = login_as(supervisor).get("/agent/supervisor/merchants/")
    assert page.status_code == 200 and "坏商家" in page.content.decode()
    from django.test import Client

    other = Client()
    other.force_login(agent)
    from tests.support.auth import current_code, totp_device

    other.post("/accounts/2fa/", {"otp_token": current_code(totp_device(agent))})
    assert other.get("/agent/supervisor/merchants/").status_code == 404
