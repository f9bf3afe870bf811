"""GET /api/v1/platform/claims/ and POST …/<reference>/outcome/: the platform's own claims only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.models import AuditEntry, OutboxMessage
from integrations.services import match_pending
from tests.factories import ClaimFactory
from tests.support.integrations import event
from tests.support.tickets import claim_input
from tickets.claims.selectors import can_reopen
from tickets.claims.services import claim_confirm_resolved, claim_create, claim_reopen
from tickets.models import ClaimEvent, ClaimStatus, EventKind

LIST = "/api/v1/platform/claims/"


def outcome_url(reference: str) -> str:
    return f"/api/v1/platform/claims/{reference}/outcome/"


# --- list ------------------------------------------------------------------------------------------------
def test_the_list_has_the_platforms_claims_without_customer_contact(
    platform_client, platform, other_platform, customer
):
    mine = claim_create(customer=customer, data=claim_input(platform, contact_phone="+8613800138000"))
    ClaimFactory(platform=other_platform)
    client = platform_client(scopes=["claims:read", "events:write"])
    client.post(
        "/api/v1/platform/events/", event("e1", number=mine.order_number, amount="99.00"), format="json"
    )
    match_pending()
    body = client.get(LIST).json()
    assert [row["reference"] for row in body["results"]] == [mine.reference]
    row = body["results"][0]
    assert set(row) == {
        "reference",
        "order_number",
        "problem_type",
        "amount",
        "currency",
        "status",
        "created_at",
        "first_response_due_at",
        "resolution_due_at",
        "platform_facts",
    }
    assert row["problem_type"] == "topup-not-credited" and row["amount"] == "100.00"
    assert row["platform_facts"]["amount"] == "99.00"
    text = str(body)
    assert customer.email not in text and "13800138000" not in text and mine.description[:10] not in text


def test_the_list_pages_with_a_keyset_cursor_and_filters_by_status(platform_client, platform):
    now = timezone.now()
    claims = [
        ClaimFactory(platform=platform, created_at=now - timedelta(minutes=i), status=ClaimStatus.OPEN)
        for i in range(5)
    ]
    ClaimFactory(platform=platform, status=ClaimStatus.RESOLVED, created_at=now)
    client = platform_client(scopes=["claims:read"])
    first = client.get(LIST, {"status": "open", "limit": 2}).json()
    assert [r["reference"] for r in first["results"]] == [c.reference for c in claims[:2]]
    assert first["next_cursor"]
    second = client.get(LIST, {"status": "open", "limit": 2, "cursor": first["next_cursor"]}).json()
    third = client.get(first["next"].split("testserver")[-1]).json()  # the "next" link works as is
    # The same page; the cursors name the same position (they are signed with the second they were made in,
    # so two requests a second apart give different strings for it).
    assert second["results"] == third["results"]
    assert second["next_cursor"].split(":")[0] == third["next_cursor"].split(":")[0]
    assert [r["reference"] for r in second["results"]] == [c.reference for c in claims[2:4]]
    last = client.get(LIST, {"status": "open", "limit": 2, "cursor": second["next_cursor"]}).json()
    assert [r["reference"] for r in last["results"]] == [claims[4].reference] and last["next_cursor"] is None
    assert len(client.get(LIST).json()["results"]) == 6
    assert len(client.get(LIST, {"status": "open,resolved"}).json()["results"]) == 6


@pytest.mark.parametrize(
    "params",
    [{"status": "bogus"}, {"cursor": "forged"}, {"limit": "many"}],
    ids=["status", "cursor", "limit"],
)
def test_bad_list_parameters_are_a_clear_400(platform_client, params):
    response = platform_client(scopes=["claims:read"]).get(LIST, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_listing_needs_the_claims_read_scope(platform_client):
    response = platform_client(scopes=["claims:write", "events:write", "webhooks"]).get(LIST)
    assert response.status_code == 403


# --- outcomes --------------------------------------------------------------------------------------------
OPEN = [ClaimStatus.NEW, ClaimStatus.OPEN, ClaimStatus.WAITING_ON_CUSTOMER, ClaimStatus.WAITING_ON_PLATFORM]
EFFECT = {
    "refunded": ClaimStatus.RESOLVED,
    "reissued": ClaimStatus.RESOLVED,
    "rejected": ClaimStatus.OPEN,
    "need_info": ClaimStatus.WAITING_ON_CUSTOMER,
}


@pytest.mark.parametrize("status", OPEN)
@pytest.mark.parametrize("outcome", list(EFFECT))
def test_each_outcome_on_each_open_status(platform_client, platform, agent, status, outcome):
    claim = ClaimFactory(platform=platform, status=status, assignee=agent)
    body = {"outcome": outcome, "message": "平台答复：已处理。", "amount": "100.00"}
    response = platform_client(scopes=["claims:write"]).post(
        outcome_url(claim.reference), body, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == EFFECT[outcome]
    claim.refresh_from_db()
    assert claim.status == EFFECT[outcome]
    assert claim.assignee_id == agent.pk  # back to the same team and person
    entry = ClaimEvent.objects.get(claim=claim, kind=EventKind.PLATFORM_OUTCOME)
    assert not entry.is_internal and entry.body == "平台答复：已处理。"
    assert entry.data["outcome"] == outcome and entry.actor_label == platform.name
    assert AuditEntry.objects.filter(action="claim.platform_outcome", object_id=str(claim.pk)).exists()
    events = set(OutboxMessage.objects.values_list("event", flat=True))
    assert "claim.platform_outcome" in events
    if status != EFFECT[outcome]:
        assert "claim.status_changed" in events
    if outcome == "need_info":
        assert "claim.info_requested" in events
    if EFFECT[outcome] == ClaimStatus.RESOLVED:
        assert claim.resolved_at is not None and can_reopen(claim)


@pytest.mark.parametrize(
    "status", [ClaimStatus.RESOLVED, ClaimStatus.CLOSED, ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN]
)
def test_an_outcome_on_a_claim_no_longer_open_is_409(platform_client, platform, status):
    claim = ClaimFactory(platform=platform, status=status)
    response = platform_client(scopes=["claims:write"]).post(
        outcome_url(claim.reference), {"outcome": "refunded", "message": "ok"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "claim_not_open"
    claim.refresh_from_db()
    assert claim.status == status
    assert not ClaimEvent.objects.filter(claim=claim, kind=EventKind.PLATFORM_OUTCOME).exists()


def test_another_platforms_claim_is_404(platform_client, platform, other_platform):
    theirs = ClaimFactory(platform=other_platform, status=ClaimStatus.OPEN)
    response = platform_client(scopes=["claims:write"]).post(
        outcome_url(theirs.reference), {"outcome": "refunded", "message": "ok"}, format="json"
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ClaimStatus.OPEN
    assert (
        platform_client(scopes=["claims:write"])
        .post(outcome_url("XY-20990101-NOSUCH"), {"outcome": "refunded", "message": "ok"}, format="json")
        .status_code
        == 404
    )


def test_an_outcome_needs_the_claims_write_scope(platform_client, platform):
    claim = ClaimFactory(platform=platform, status=ClaimStatus.OPEN)
    response = platform_client(scopes=["claims:read"]).post(
        outcome_url(claim.reference), {"outcome": "refunded", "message": "ok"}, format="json"
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "maybe", "message": "x"},
        {"outcome": "refunded"},
        {"outcome": "refunded", "message": "x", "amount": "-1"},
    ],
)
def test_a_bad_outcome_is_a_clear_400(platform_client, platform, body):
    claim = ClaimFactory(platform=platform, status=ClaimStatus.OPEN)
    response = platform_client(scopes=["claims:write"]).post(
        outcome_url(claim.reference), body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_the_customer_sees_the_outcome_and_confirms_or_reopens(platform_client, platform, customer, login_as):
    claim = claim_create(customer=customer, data=claim_input(platform))
    client = platform_client(scopes=["claims:write"])
    client.post(
        outcome_url(claim.reference), {"outcome": "refunded", "message": "已退款100元"}, format="json"
    )
    page = login_as(customer).get(f"/claims/{claim.reference}/").content.decode()
    assert "已退款100元" in page
    claim.refresh_from_db()
    claim_confirm_resolved(claim=claim, actor=customer)
    assert ClaimEvent.objects.filter(claim=claim, kind=EventKind.RESOLVED_CONFIRMED).exists()
    # Or, if it is not true, reopen within the window.
    other = claim_create(customer=customer, data=claim_input(platform, order_number="20240520002"))
    client.post(outcome_url(other.reference), {"outcome": "reissued", "message": "已补发"}, format="json")
    other.refresh_from_db()
    claim_reopen(claim=other, actor=customer, reason="没有收到补发的卡密")
    other.refresh_from_db()
    assert other.status == ClaimStatus.OPEN


def test_listing_is_audited_with_the_key_and_the_references(platform_client, platform):
    claim = ClaimFactory(platform=platform, status=ClaimStatus.OPEN)
    platform_client(scopes=["claims:read"]).get(LIST)
    entry = AuditEntry.objects.get(action="platform.claims_listed")
    assert entry.after["references"] == [claim.reference] and entry.after["key"].startswith("cdk_")


def test_a_retried_outcome_with_the_same_idempotency_key_replays_the_answer(platform_client, platform):
    claim = ClaimFactory(platform=platform, status=ClaimStatus.OPEN)
    client = platform_client(scopes=["claims:write"])
    body = {"outcome": "refunded", "message": "已退款"}
    first = client.post(outcome_url(claim.reference), body, format="json", HTTP_IDEMPOTENCY_KEY="out-1")
    again = client.post(outcome_url(claim.reference), body, format="json", HTTP_IDEMPOTENCY_KEY="out-1")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert ClaimEvent.objects.filter(claim=claim, kind=EventKind.PLATFORM_OUTCOME).count() == 1
    # Without the key, a second call on the now resolved claim is a 409.
    assert client.post(outcome_url(claim.reference), body, format="json").status_code == 409
