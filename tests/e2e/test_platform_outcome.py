"""A platform's outcome resolves a claim; the customer sees it on the claim page and confirms it."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from helpdesk.api.platform_keys import platform_key_issue
from tests.e2e.helpers import sign_in
from tests.factories import claim_platform
from tests.support.tickets import claim_input, ensure_problem_types
from tickets.claims.services import claim_create
from tickets.models import Claim, ClaimEvent, ClaimStatus, EventKind


def test_a_platform_refund_resolves_the_claim_and_the_customer_confirms(page: Page, live_server, customer):
    ensure_problem_types()
    platform = claim_platform()
    claim = claim_create(customer=customer, data=claim_input(platform))
    _row, key = platform_key_issue(actor=None, platform_id=platform.pk, scopes=["claims:write"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    answer = api.post(
        f"/api/v1/platform/claims/{claim.reference}/outcome/",
        {"outcome": "refunded", "message": "已原路退款100元，1-3个工作日到账。", "amount": "100.00"},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "resolved"

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, customer)
    page.goto(f"{live_server.url}/claims/{claim.reference}/")
    expect(page.get_by_text("平台处理结果").first).to_be_visible()
    expect(page.get_by_text("已原路退款100元，1-3个工作日到账。")).to_be_visible()
    page.get_by_role("button", name="确认已解决").click()
    expect(page.get_by_text("您已确认解决").first).to_be_visible()
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == ClaimStatus.RESOLVED
    assert ClaimEvent.objects.filter(claim=claim, kind=EventKind.RESOLVED_CONFIRMED, actor=customer).exists()
