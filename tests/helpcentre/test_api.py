from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_search_contract(help_demo, client):
    response = client.get("/api/v1/help/search/", {"q": "卡密用不了", "platform": "xingyun"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "卡密用不了"
    assert body["results"], body
    first = body["results"][0]
    assert set(first) == {"slug", "title", "snippet", "platform", "problem_type", "url", "score"}
    assert first["slug"] == "xingyun-card-code-invalid"
    assert first["problem_type"] == "card-code-invalid"
    assert first["platform"] == "xingyun"
    assert first["url"] == "/help/xingyun-card-code-invalid/"
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert all(r["platform"] in ("xingyun", None) for r in body["results"])


def test_results_come_in_the_requests_language(help_demo, client):
    zh = client.get("/api/v1/help/search/", {"q": "refund"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert zh["results"][0]["title"] == "Lanjing: I want a refund and the merchant says no"
    zh = client.get("/api/v1/help/search/", {"q": "退款"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert zh["results"][0]["title"] == "蓝鲸卡盟：想退款，商家不同意"


def test_a_general_article_has_no_platform(help_demo, client):
    body = client.get("/api/v1/help/search/", {"q": "假客服"}).json()
    general = [r for r in body["results"] if r["slug"] == "spot-fake-support"]
    assert general and general[0]["platform"] is None


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 201}, {"q": "退款", "platform": "nope"}])
def test_bad_input_is_a_clear_400(help_demo, client, params):
    response = client.get("/api/v1/help/search/", params)
    assert response.status_code == 400
    assert "error" in response.json()
