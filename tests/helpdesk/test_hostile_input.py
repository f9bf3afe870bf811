"""No 5xx from hostile input: one middleware, one JSON parser, one integer reader (helpdesk/params.py)."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from helpdesk.models import Role
from tests.factories import ClaimFactory, StaffFactory


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def customer_api(customer) -> APIClient:
    client = APIClient()
    client.force_authenticate(customer)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/platforms/?q=%00",
        "/api/v1/channels/?platform=x%00y",
        "/api/v1/platforms/xing%00yun/",
        "/api/v1/platforms/?q%00=1",
        "/api/v1/check/?q=400%00612",
    ],
)
def test_nul_in_an_api_url_is_a_400_in_the_envelope(api, db, url):
    response = api.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "control_characters"
    assert "control characters" in error["message"]


def test_nul_in_a_page_url_is_a_translated_400_page(client, db):
    response = client.get("/platforms/xing%00yun/")
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()
    assert client.get("/?q=%00").status_code == 400


def test_nul_in_a_form_field_is_refused_before_any_query(client, db):
    response = client.post("/accounts/login/", {"username": "a\x00b@example.com", "password": "x"})
    assert response.status_code == 400


def test_tab_and_newline_stay_allowed_in_query_values(api, db):
    assert api.get("/api/v1/platforms/?q=%E6%98%9F%0A%09").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=100000000000000000000", "limit"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("offset=100000000000000000000", "offset"),
        ("offset=null", "offset"),
    ],
)
def test_absurd_pagination_is_a_400_naming_the_parameter(api, db, query, field):
    for path in ("/api/v1/platforms/", "/api/v1/channels/", "/api/v1/platforms/?q=xingyun"):
        response = api.get(path + ("&" if "?" in path else "?") + query, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, (path, query)
        error = response.json()["error"]
        assert error["code"] == "invalid" and list(error["fields"]) == [field]
        assert "whole number" in error["fields"][field][0]


def test_every_page_is_at_most_the_maximum_size(api, db):
    from contacts.models import Platform

    Platform.objects.bulk_create(Platform(name=f"P{i}", slug=f"p-{i}") for i in range(205))
    assert len(api.get("/api/v1/platforms/?limit=200").json()["results"]) == 200
    assert len(api.get("/api/v1/platforms/").json()["results"]) == 50


@pytest.mark.parametrize("body", ["null", "[1,2,3]", "true", '"text"', "42"])
def test_a_json_body_that_is_not_an_object_is_a_400(customer_api, body):
    for path in ("/api/v1/claims/", "/api/v1/auth/token/"):
        response = customer_api.post(path, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, (path, body, response.content)
        error = response.json()["error"]
        assert error["code"] == "parse_error" and "JSON object" in error["message"]


def test_a_json_body_that_is_not_an_object_is_a_400_with_an_idempotency_key(customer_api):
    response = customer_api.post(
        "/api/v1/claims/", "null", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"body": "还没到账\u0000"},
        {"body": ["\u0000"]},
        {"nested": {"deeper": "\u0000"}},
    ],
)
def test_nul_inside_a_json_body_is_a_400(customer, customer_api, body):
    claim = ClaimFactory(customer=customer)
    response = customer_api.post(
        f"/api/v1/claims/{claim.reference}/reply/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"


def test_a_huge_json_integer_is_refused_while_parsing(customer, customer_api):
    claim = ClaimFactory(customer=customer)
    body = '{"rating": ' + "9" * 5000 + "}"
    response = customer_api.post(
        f"/api/v1/claims/{claim.reference}/rate/", body, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"


def test_deeply_nested_json_is_a_400(customer_api):
    body = "[" * 100_000 + "]" * 100_000
    response = customer_api.post("/api/v1/claims/", body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("flag", ["null", "yes", "2"])
def test_queue_flags_must_be_true_or_false(db, flag):
    agent = StaffFactory(role=Role.AGENT)
    client = APIClient()
    client.force_authenticate(agent)
    response = client.get(f"/api/v1/agent/queue/?mine={flag}")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["mine"]
    assert client.get("/api/v1/agent/queue/?mine=true&size=0").json()["error"]["fields"]["size"]


@pytest.mark.parametrize("edit", ["abc", "100000000000000000000", "-3", "1%00"])
def test_routing_page_answers_400_to_a_bad_edit_id(login_as, supervisor, edit):
    response = login_as(supervisor).get(f"/agent/supervisor/routing/?edit={edit}")
    assert response.status_code == 400


def test_routing_page_still_opens_a_rule_to_edit(login_as, supervisor):
    client = login_as(supervisor)
    assert client.get("/agent/supervisor/routing/?edit=").status_code == 200
    assert client.get("/agent/supervisor/routing/?edit=999").status_code == 200  # unknown: a new rule


def test_window_times_are_hh_mm_in_the_schema_and_in_the_json(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    window = schema["components"]["schemas"]["Window"]["properties"]
    assert window["start"] == {
        "type": "string",
        "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
        "example": "09:00",
    }
    assert "format" not in window["end"]


def test_every_operation_documents_its_errors_in_the_envelope(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "401", "429"} <= set(responses), (method, path)
            for code, response in responses.items():
                if code.startswith("4"):
                    media = response["content"]["application/json"]
                    assert media["schema"] == {"$ref": "#/components/schemas/Error"}, (method, path, code)
                    assert set(media["example"]["error"]) == {"code", "message", "fields"}
            for parameter in operation.get("parameters", []):
                if parameter["name"] in ("limit", "offset"):
                    assert parameter["schema"]["maximum"] >= 200
