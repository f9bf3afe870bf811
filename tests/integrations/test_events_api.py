from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.models import AuditEntry
from integrations.models import PlatformEvent
from tests.support.integrations import event

URL = "/api/v1/platform/events/"


def test_it_accepts_one_event_object(platform_client, platform):
    response = platform_client().post(URL, event("e1", number="A1"), format="json")
    assert response.status_code == 202, response.content
    assert response.json() == {"accepted": 1, "duplicates": 0, "errors": []}
    stored = PlatformEvent.objects.get()
    assert (stored.platform_id, stored.event_id, stored.order_number) == (platform.pk, "e1", "A1")
    assert str(stored.amount) == "100.00"
    assert stored.customer_email == "alice@example.com"


def test_it_is_idempotent_per_platform_and_event_id(platform_client, other_platform):
    client = platform_client()
    batch = [event("e1"), event("e2")]
    assert client.post(URL, batch, format="json").json() == {"accepted": 2, "duplicates": 0, "errors": []}
    again = client.post(URL, [*batch, event("e3")], format="json").json()
    assert again == {"accepted": 1, "duplicates": 2, "errors": []}
    # The same id in one batch counts once.
    assert client.post(URL, [event("e4"), event("e4")], format="json").json()["duplicates"] == 1
    # Another platform's event with the same id is its own event.
    other = platform_client(for_platform=other_platform)
    assert other.post(URL, event("e1"), format="json").json()["accepted"] == 1
    assert PlatformEvent.objects.count() == 5


def test_a_partial_batch_keeps_the_valid_items_and_reports_the_others_by_index(platform_client):
    batch = [
        event("ok1"),
        {"id": "bad1", "type": "topup.exploded", "occurred_at": "yesterday", "customer": {}},
        "not an object",
        event("ok2", number="A2", amount="-5"),
        {**event("bad3"), "customer": {"email": "not-an-email"}},
        {**event("naive"), "occurred_at": "2026-12-02T10:00:00"},
        event("ok3", number="A3"),
    ]
    response = platform_client().post(URL, batch, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 2 and body["duplicates"] == 0
    assert [e["index"] for e in body["errors"]] == [1, 2, 3, 4, 5]
    fields = body["errors"][0]["error"]["fields"]
    assert {"type", "occurred_at", "customer"} <= set(fields)
    assert "order.amount" in body["errors"][2]["error"]["fields"]
    assert "customer.email" in body["errors"][3]["error"]["fields"]
    assert set(PlatformEvent.objects.values_list("event_id", flat=True)) == {"ok1", "ok3"}


def test_it_refuses_more_than_500_events(platform_client):
    batch = [event(f"e{i}") for i in range(501)]
    response = platform_client().post(URL, batch, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many"
    assert not PlatformEvent.objects.exists()
    assert platform_client().post(URL, batch[:500], format="json").json()["accepted"] == 500


@pytest.mark.parametrize(
    ("body", "code"),
    # Scalars are refused by the API's one JSON parser (helpdesk.api.parsers), an empty object by the view.
    [("just text", "parse_error"), (42, "parse_error"), ({}, "invalid")],
)
def test_a_body_that_is_no_event_is_a_clear_400(platform_client, body, code):
    response = platform_client().post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_an_event_from_the_future_is_refused(platform_client):
    future = event("f1", at=timezone.now() + timedelta(days=3))
    body = platform_client().post(URL, [future], format="json").json()
    assert body["accepted"] == 0 and body["errors"][0]["index"] == 0


def test_every_call_is_audited_with_the_key_and_the_event_ids(platform_client):
    client = platform_client()
    client.post(URL, [event("e1"), event("e2"), {"id": "x"}], format="json")
    client.post(URL, [event("e1")], format="json")
    first, second = AuditEntry.objects.filter(action="platform.events_received").order_by("id")
    assert first.object_type == "helpdesk.platformapikey"
    assert first.after["accepted"] == ["e1", "e2"] and first.after["invalid"] == [2]
    assert first.after["key"].startswith("cdk_")
    assert second.after["accepted"] == [] and second.after["duplicates"] == ["e1"]


@pytest.mark.parametrize("scopes", [["webhooks"], ["claims:read", "claims:write"], []])
def test_a_key_without_the_events_scope_gets_403(platform_client, scopes):
    response = platform_client(scopes=scopes).post(URL, event("e1"), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "scope_missing"
    assert not PlatformEvent.objects.exists()


def test_no_key_or_a_revoked_key_is_401(platform_client, platform):
    from rest_framework.test import APIClient

    assert APIClient().post(URL, event("e1"), format="json").status_code == 401
    from helpdesk.api.platform_keys import platform_key_issue, platform_key_revoke

    row, key = platform_key_issue(actor=None, platform_id=platform.pk, scopes=["events:write"])
    platform_key_revoke(actor=None, key=row)  # type: ignore[arg-type]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.post(URL, event("e1"), format="json").status_code == 401


def test_ingestion_on_postgresql_is_one_insert_statement(postgres, platform_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = platform_client()
    with CaptureQueriesContext(connection) as queries:
        client.post(URL, [event(f"e{i}", number=f"N{i}") for i in range(200)], format="json")
    inserts = [q for q in queries.captured_queries if 'INSERT INTO "integrations_platformevent"' in q["sql"]]
    assert len(inserts) == 1
    assert PlatformEvent.objects.count() == 200


def test_the_throttle_counts_per_platform_key_not_per_address(platform_client, monkeypatch):
    from helpdesk.api.platform_keys import PlatformKeyThrottle

    monkeypatch.setattr(
        PlatformKeyThrottle, "THROTTLE_RATES", {"platform_events": "2/min", "platform": "2/min"}
    )
    first, second = platform_client(), platform_client()
    assert [first.post(URL, event(f"a{i}"), format="json").status_code for i in range(3)] == [202, 202, 429]
    assert second.post(URL, event("b1"), format="json").status_code == 202


def test_an_order_needs_the_contracts_fields_and_merchant_is_optional(platform_client):
    full = event("full", number="A1")
    assert "merchant" not in full["order"]
    partial = {**event("partial"), "order": {"number": "A2"}}
    body = platform_client().post(URL, [full, partial], format="json").json()
    assert body["accepted"] == 1
    fields = body["errors"][0]["error"]["fields"]
    assert {"order.amount", "order.currency", "order.product", "order.status", "order.paid_at"} <= set(fields)
