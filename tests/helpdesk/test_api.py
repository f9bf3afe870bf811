from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.support.auth import current_code, totp_device


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_a_customer_exchanges_credentials_for_a_token(api, customer, password):
    response = api.post("/api/v1/auth/token/", {"email": customer.email, "password": password}, format="json")
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["email"] == customer.email


def test_staff_need_their_totp_code_for_a_token(api, agent, password):
    device = totp_device(agent)
    refused = api.post("/api/v1/auth/token/", {"email": agent.email, "password": password}, format="json")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"
    accepted = api.post(
        "/api/v1/auth/token/",
        {"email": agent.email, "password": password, "otp_token": current_code(device)},
        format="json",
    )
    assert accepted.status_code == 200 and accepted.json()["role"] == "agent"


def test_a_staff_session_without_totp_is_anonymous_to_the_api(client: Client, agent):
    client.force_login(agent)
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_errors_share_one_shape_and_speak_the_requested_language(api):
    response = api.post(
        "/api/v1/auth/token/", {"email": "not-an-email"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"email", "password"}
    assert error["fields"]["password"] == ["This field is required."]
    zh = api.post("/api/v1/auth/token/", {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert zh.json()["error"]["fields"]["email"] == ["该字段是必填项。"]


def test_unauthenticated_and_unknown_paths_use_the_error_shape(api):
    assert api.get("/api/v1/me/").json()["error"]["code"] == "not_authenticated"
    missing = api.get("/api/v1/nowhere/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_malformed_json_is_a_clear_400(api):
    response = api.post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_token_endpoint_is_brute_force_protected(api, customer, password, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        api.post("/api/v1/auth/token/", {"email": customer.email, "password": "nope"}, format="json")
    locked = api.post("/api/v1/auth/token/", {"email": customer.email, "password": password}, format="json")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"


def test_the_schema_documents_every_endpoint_with_examples(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["paths"], "no paths documented"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            has_example = any(
                "examples" in media or "example" in media
                for status in responses.values()
                for media in status.get("content", {}).values()
            )
            assert has_example, f"{method.upper()} {path} has no response example"


def test_the_interactive_docs_are_served_without_a_cdn(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "cdn" not in body.lower() and "/static/drf_spectacular_sidecar/" in body
