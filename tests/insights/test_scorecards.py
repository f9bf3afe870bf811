"""Public scorecards: figures from the roll-up, each shown only where at least 20 claims back it; the page,
the platform page's headline and the API give the same figures; a response per quarter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.models import AuditEntry
from insights import rollup, scorecards
from insights.models import ScorecardResponse
from tests.support.insights import handled_claim

pytestmark = pytest.mark.django_db


def file_claims(platform, count: int) -> None:
    day = timezone.localdate() - timedelta(days=3)
    for index in range(count):
        handled_claim(platform, day, rating=4 if index % 2 else 5)
    rollup.rollup_recent(days=5)
    scorecards.scorecards_refresh()


def test_19_claims_publish_no_figure(platform, client):
    file_claims(platform, 19)
    card = client.get(f"/api/v1/platforms/{platform.slug}/scorecard/").json()
    assert card["minimum_claims"] == 20
    assert card["claims"] is None
    assert card["median_first_response_hours"] is None
    assert card["resolved_within_promise_percent"] is None
    assert card["csat"] is None and card["top_problem_types"] == []
    page = client.get(f"/platforms/{platform.slug}/scorecard/").content.decode()
    assert "Fewer than 20" in page or "少于 20" in page


def test_20_claims_publish_every_figure(platform, client):
    file_claims(platform, 20)
    card = client.get(f"/api/v1/platforms/{platform.slug}/scorecard/").json()
    assert card["claims"] == 20
    assert card["median_first_response_hours"] == 1.0
    assert card["resolved_within_promise_percent"] == 100
    assert card["csat"] == 4.5
    assert card["top_problem_types"][0]["claims"] == 20
    page = client.get(f"/platforms/{platform.slug}/scorecard/").content.decode()
    assert "4.5" in page and "100%" in page


def test_the_platform_page_shows_the_headline(platform, client):
    file_claims(platform, 20)
    page = client.get(f"/platforms/{platform.slug}/").content.decode()
    assert 'id="scorecard-title"' in page and f"/platforms/{platform.slug}/scorecard/" in page


def test_the_scorecard_schema_has_an_example(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/platforms/{slug}/scorecard/"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["examples"]


def test_a_directory_admin_publishes_one_response_per_quarter(platform, directory_admin, login_as, customer):
    client = login_as(directory_admin)
    url = f"/platforms/{platform.slug}/scorecard/respond/"
    assert client.post(url, {"body": "我们已增加夜间客服。"}).status_code == 302
    assert client.post(url, {"body": "第二次"}).status_code == 302
    assert ScorecardResponse.objects.filter(platform=platform).count() == 1
    assert AuditEntry.objects.filter(action="scorecard.response_added").count() == 1
    assert "我们已增加夜间客服。" in client.get(f"/platforms/{platform.slug}/scorecard/").content.decode()
    assert client.post(url, {"body": ""}).status_code == 400
    assert login_as(customer).post(url, {"body": "fake"}).status_code == 404
    assert scorecards.current_quarter(timezone.localdate().replace(month=11)).endswith("-Q4")


def test_a_platform_sends_its_response_with_its_own_key(platform, directory_admin, client):
    from helpdesk.api.platform_keys import platform_key_issue
    from tests.factories import PlatformFactory

    _row, key = platform_key_issue(actor=directory_admin, platform_id=platform.pk, scopes=["claims:write"])
    _other, other_key = platform_key_issue(
        actor=directory_admin, platform_id=PlatformFactory().pk, scopes=["claims:write"]
    )
    _hooks, webhooks_only = platform_key_issue(actor=directory_admin, platform_id=platform.pk)
    url = "/api/v1/platform/scorecard/response/"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.post(url, {"body": "夜间客服已上线。"}, content_type="application/json", **auth)
    assert response.status_code == 201 and response.json()["quarter"] == scorecards.current_quarter()
    again = client.post(url, {"body": "再来"}, content_type="application/json", **auth)
    assert again.status_code == 409 and "error" in again.json()
    assert client.post(url, {"body": ""}, content_type="application/json", **auth).status_code == 400
    assert client.post(url, {"body": "x"}, content_type="application/json").status_code in (401, 403)
    outside_scope = {"HTTP_AUTHORIZATION": f"Bearer {webhooks_only}"}
    assert (
        client.post(url, {"body": "x"}, content_type="application/json", **outside_scope).status_code == 403
    )
    other = client.post(
        url, {"body": "别家"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {other_key}"
    )
    assert other.status_code == 201
    assert ScorecardResponse.objects.get(platform=platform).body == "夜间客服已上线。"
    assert client.get(f"/api/v1/platforms/{platform.slug}/scorecard/").json()["responses"][0]["body"] == (
        "夜间客服已上线。"
    )
