from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from helpdesk.models import IdempotencyRecord
from helpdesk.outbox import relay
from tests.factories import ClaimFactory
from tests.support.tickets import png_bytes, png_file
from tickets.models import Claim, ClaimStatus, Evidence

PAID_AT = (timezone.now() - timedelta(hours=1)).replace(microsecond=0).isoformat()


def body(**overrides) -> dict:
    data = {
        "platform": "xingyun",
        "problem_type": "topup-not-credited",
        "order_number": "20240520001",
        "product": "100元游戏点卡",
        "amount": "100.00",
        "payment_channel": "alipay",
        "paid_at": PAID_AT,
        "description": "5月20日14:30购买100元游戏点卡，已付款，30分钟后仍未到账，刷新了3次。",
        "desired_outcome": "reissue",
    }
    data.update(overrides)
    return data


@pytest.fixture
def api(customer) -> APIClient:
    client = APIClient()
    client.force_authenticate(customer)
    return client


def test_it_files_a_claim_as_json(api, platform):
    response = api.post("/api/v1/claims/", body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    claim = Claim.objects.get()
    assert data["reference"] == claim.reference
    assert response["Location"] == f"/api/v1/claims/{claim.reference}/"
    assert data["amount"] == "100.00" and data["currency"] == "CNY"
    assert [event["kind"] for event in data["timeline"]] == ["filed"]
    assert data["subject"] == "20240520001-充值未到账-紧急"


def test_it_files_a_claim_with_evidence_and_reports_rejected_files(api, platform):
    files = [png_file("ok.png"), png_file("bad.png")]
    files[1] = type(files[0])("bad.png", b"MZ\x90\x00" + b"\x00" * 100)
    response = api.post("/api/v1/claims/", {**body(), "evidence": files}, format="multipart")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [e["original_name"] for e in data["evidence"]] == ["ok.png"]
    assert data["rejected_evidence"][0]["name"] == "bad.png"


def test_every_field_is_validated_with_clear_messages(api, platform):
    response = api.post(
        "/api/v1/claims/",
        body(
            amount="-1",
            order_number="!",
            paid_at="2999-01-01T00:00:00Z",
            payment_channel="cash",
            description="短",
            preferred_contact="phone",
            contact_phone="123",
        ),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) >= {
        "amount",
        "order_number",
        "paid_at",
        "payment_channel",
        "description",
        "contact_phone",
    }
    assert "Use only letters" in fields["order_number"][0]
    zh = api.post("/api/v1/claims/", body(order_number="!"), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "请只使用字母" in zh.json()["error"]["fields"]["order_number"][0]


def test_a_duplicate_open_claim_answers_409_with_the_reference(api, platform):
    first = api.post("/api/v1/claims/", body(), format="json").json()
    response = api.post("/api/v1/claims/", body(), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["reference"] == first["reference"]


def test_sensitive_text_is_masked_and_announced(api, platform):
    response = api.post(
        "/api/v1/claims/",
        body(description="充值没到账，我的密码是abc12345，卡号4111111111111111"),
        format="json",
    )
    data = response.json()
    assert "abc12345" not in data["description"] and "4111111111111111" not in data["description"]
    assert set(data["masked"]) == {"bank_card", "secret"} and len(data["notices"]) == 2


def test_idempotency_same_key_same_body_replays(api, platform):
    first = api.post("/api/v1/claims/", body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = api.post("/api/v1/claims/", body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Claim.objects.count() == 1


def test_idempotency_same_key_other_body_is_422(api, platform):
    api.post("/api/v1/claims/", body(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = api.post(
        "/api/v1/claims/", body(order_number="OTHER1"), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert response.status_code == 422
    assert Claim.objects.count() == 1


def test_idempotency_covers_uploaded_files(api, platform):
    def send(color):
        return api.post(
            "/api/v1/claims/",
            {**body(), "evidence": [png_file("a.png", color=color)]},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="k-3",
        )

    assert send("red").status_code == 201
    assert send("red").status_code == 201
    assert send("blue").status_code == 422
    assert Evidence.objects.count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_with_one_key_file_one_claim(postgres, customer, platform):
    barrier = threading.Barrier(2)
    results: list[int] = []

    def worker():
        client = APIClient()
        client.force_authenticate(customer)
        try:
            barrier.wait()
            response = client.post("/api/v1/claims/", body(), format="json", HTTP_IDEMPOTENCY_KEY="race-1")
            results.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [201, 201]
    assert Claim.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_without_a_key_still_file_one_claim(postgres, customer, platform):
    barrier = threading.Barrier(2)
    results: list[int] = []

    def worker():
        client = APIClient()
        client.force_authenticate(customer)
        try:
            barrier.wait()
            results.append(client.post("/api/v1/claims/", body(), format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [201, 409]
    assert Claim.objects.count() == 1


def test_list_and_detail_are_scoped(api, customer, other_customer, platform):
    mine = ClaimFactory(customer=customer, platform=platform)
    theirs = ClaimFactory(customer=other_customer, platform=platform)
    listed = api.get("/api/v1/claims/").json()
    assert [c["reference"] for c in listed["results"]] == [mine.reference]
    assert api.get(f"/api/v1/claims/{mine.reference}/").status_code == 200
    assert api.get(f"/api/v1/claims/{theirs.reference}/").status_code == 404


@pytest.mark.parametrize("action", ["reply", "withdraw", "confirm", "reopen", "rate", "evidence"])
def test_another_customers_claim_is_404_on_every_action(action, api, other_customer, platform):
    theirs = ClaimFactory(customer=other_customer, platform=platform)
    data = {"body": "hi", "reason": "x", "rating": 5, "evidence": [png_file()]}
    response = api.post(f"/api/v1/claims/{theirs.reference}/{action}/", data, format="multipart")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ClaimStatus.NEW


def test_actions_through_the_api(api, customer, platform):
    claim = ClaimFactory(customer=customer, platform=platform)
    url = f"/api/v1/claims/{claim.reference}"
    assert api.post(f"{url}/reply/", {"body": "补充信息"}, format="json").status_code == 200
    response = api.post(f"{url}/evidence/", {"evidence": [png_file()]}, format="multipart")
    assert response.status_code == 200 and len(response.json()["evidence"]) == 1
    assert api.post(f"{url}/rate/", {"rating": 5}, format="json").status_code == 400
    assert api.post(f"{url}/confirm/", format="json").json()["status"] == "resolved"
    assert api.post(f"{url}/rate/", {"rating": 5, "comment": "好"}, format="json").json()["rating"] == 5
    assert api.post(f"{url}/reopen/", {"reason": "又坏了"}, format="json").json()["status"] == "open"
    assert api.post(f"{url}/withdraw/", {}, format="json").json()["status"] == "withdrawn"


def test_staff_and_guests_cannot_use_the_customer_claims_api(agent, platform):
    assert (
        APIClient().get("/api/v1/claims/").status_code == 401
        or APIClient().get("/api/v1/claims/").status_code == 403
    )
    client = APIClient()
    client.force_authenticate(agent)
    assert client.post("/api/v1/claims/", body(), format="json").status_code == 403


def test_filing_is_throttled(api, platform, settings):
    from django.core.cache import cache

    cache.clear()
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "claims": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        from tickets.api.views import ClaimCreateThrottle

        ClaimCreateThrottle.THROTTLE_RATES = rates
        codes = [
            api.post("/api/v1/claims/", body(order_number=f"T{i}X"), format="json").status_code
            for i in range(3)
        ]
        assert codes == [201, 201, 429]
        assert api.get("/api/v1/claims/").status_code == 200
    finally:
        api_settings.reload()
        from rest_framework.throttling import SimpleRateThrottle

        ClaimCreateThrottle.THROTTLE_RATES = SimpleRateThrottle.THROTTLE_RATES
        cache.clear()


def test_filing_through_the_api_takes_a_fixed_number_of_queries(customer, platform, settings):
    """The token (with its account), triage's reads (the customer's run of failures; the platform's facts
    and outreach about the order), then one transaction: the claim, its SLA check, its timeline entries, the
    audit entry and the outbox row. Reference data is cached per process, as in production."""
    from django.test.utils import CaptureQueriesContext

    from helpdesk.api_tokens import api_token_issue
    from tickets import reference_data

    settings.CLAIM_REFERENCE_DATA_TTL = 60
    reference_data.forget()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=customer, otp_verified=False)[1]}")
    try:
        assert client.post("/api/v1/claims/", body(order_number="QB00"), format="json").status_code == 201
        ClaimFactory.create_batch(5, customer=customer, platform=platform)
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/api/v1/claims/", body(order_number="QB01"), format="json")
        assert response.status_code == 201, response.json()
        assert len(ctx.captured_queries) == 1 + 2 + 7, [q["sql"][:80] for q in ctx.captured_queries]
        assert [event["kind"] for event in response.json()["timeline"]] == ["filed"]
    finally:
        reference_data.forget()


def test_the_claims_api_is_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/claims/" in schema and "Idempotency-Key" in schema
    assert "/api/v1/claims/{reference}/reopen/" in schema


def test_png_bytes_helper_is_a_png():
    assert png_bytes().startswith(b"\x89PNG")


def test_an_unknown_platform_or_problem_type_is_a_clear_400(api, platform):
    response = api.post(
        "/api/v1/claims/",
        body(platform="nowhere", problem_type="nothing"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["platform"] == ["There is no “nowhere”."]
    assert "problem_type" in fields


def test_evidence_downloads_through_the_api_for_the_owner_only(api, customer, other_customer, platform):
    data = api.post("/api/v1/claims/", {**body(), "evidence": [png_file("a.png")]}, format="multipart").json()
    url = data["evidence"][0]["url"]
    assert data["evidence"][0]["ready"] is False
    pending = api.get(url)
    assert pending.status_code == 409 and pending.json()["error"]["code"] == "evidence_not_ready"
    relay()  # the worker rebuilds the image right after the claim commits
    response = api.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    other = APIClient()
    other.force_authenticate(other_customer)
    assert other.get(url).status_code == 404
