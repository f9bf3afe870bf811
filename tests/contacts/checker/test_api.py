"""GET /api/v1/check/ and the /check/ page: the JSON contract, bad input, languages."""

from __future__ import annotations

import pytest


def test_the_api_returns_the_documented_shape(client, demo):
    response = client.get("/api/v1/check/", {"q": "400-612-3456"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "400-612-3456"
    [result] = body["results"]
    assert {k: result[k] for k in ("input", "kind", "canonical", "verdict", "replacement", "similar_to")} == {
        "input": "400-612-3456",
        "kind": "phone",
        "canonical": "+864006123456",
        "verdict": "official",
        "replacement": None,
        "similar_to": None,
    }
    assert result["platform"] == {"slug": "xingyun", "name": "星云卡盟"}
    assert result["channel"]["kind"] == "claims_hotline" and isinstance(result["channel"]["id"], int)
    assert result["reason"] and isinstance(result["warnings"], list)


def test_a_retired_number_names_its_replacement_in_json(client, demo):
    [result] = client.get("/api/v1/check/", {"q": "400-612-3400"}).json()["results"]
    assert result["verdict"] == "retired"
    assert result["replacement"]["canonical"] == "+864006123456"


def test_a_lookalike_names_what_it_imitates(client, demo):
    [result] = client.get("/api/v1/check/", {"q": "xingyunka-kefu.com"}).json()["results"]
    assert result["verdict"] == "lookalike"
    assert result["similar_to"]["platform"]["slug"] == "xingyun"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("q=", "empty"),
        ("", "empty"),
        ("q=" + "4" * 10_000, "too_long"),
        ("q=400%00612", "control_characters"),
        ("q=%1B%5B31m", "control_characters"),
        ("q=%FF%FE400", "encoding"),
        ("q=%E4%B8", "encoding"),
    ],
)
def test_bad_input_is_a_clear_400(client, demo, query, code):
    response = client.get("/api/v1/check/?" + query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["fields"]["q"]


def test_the_400_message_is_in_the_request_language(client, demo):
    zh = client.get("/api/v1/check/?q=", HTTP_ACCEPT_LANGUAGE="zh-Hans").json()["error"]["message"]
    en = client.get("/api/v1/check/?q=", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert zh != en and "Paste" in en and any("\u4e00" <= ch <= "\u9fff" for ch in zh)


def test_the_api_is_throttled(client, demo, settings):
    from django.core.cache import cache

    cache.clear()
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "checker": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    api_settings.reload()
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        codes = [client.get("/api/v1/check/", {"q": "95105888"}).status_code for _ in range(3)]
    finally:
        cache.clear()
    assert codes == [200, 200, 429]


def test_the_page_checks_a_pasted_message(client, demo):
    sms = "【星云卡盟】您的账户异常，请致电 400-612-3465 或访问 xingyunka-kefu.com，官方热线 400-612-3456"
    response = client.post("/check/", {"q": sms}, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-verdict="lookalike"') == 2 and body.count('data-verdict="official"') == 1


def test_the_page_accepts_a_link_with_q(client, demo):
    body = client.get("/check/", {"q": "95105-888"}).content.decode()
    assert 'data-verdict="official"' in body


def test_the_page_refuses_bad_input_with_400(client, demo):
    assert client.post("/check/", {"q": "  "}).status_code == 400
    assert client.get("/check/?q=%FF").status_code == 400
    assert client.post("/check/", {"q": "a\x07b"}).status_code == 400
