from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_anyone_can_search_platforms(client, demo):
    body = client.get("/api/v1/platforms/", {"q": "xing"}).json()
    assert [p["slug"] for p in body["results"]] == ["xingyun"]
    listing = client.get("/api/v1/platforms/").json()
    assert {p["slug"] for p in listing["results"]} == {"xingyun", "lanjing"}


def test_a_platform_with_its_public_channels(client, demo):
    body = client.get("/api/v1/platforms/xingyun/").json()
    assert body["domains"] == [{"domain": "xingyunka.cn", "include_subdomains": True}]
    values = {c["value"]: c for c in body["channels"]}
    assert set(values) == {
        "400-612-3456",
        "400-612-3457",
        "95105-888",
        "https://kf.xingyunka.cn/chat",
        "kefu@xingyunka.cn",
        "400-612-3400",
        "021-6051-8800",
    }
    line = values["021-6051-8800"]
    assert (line["kind"], line["canonical_value"], line["state"]) == (
        "callback_line",
        "+862160518800",
        "verified",
    )
    assert line["inbound_only"] is False
    old = values["400-612-3400"]
    assert old["state"] == "retired" and old["replacement"]["value"] == "400-612-3456"
    hotline = values["400-612-3457"]
    assert hotline["canonical_value"] == "+864006123457"
    assert hotline["hours"]["mode"] == "weekly" and len(hotline["hours"]["windows"]) == 5
    assert hotline["hours"]["windows"][0] == {"weekday": 0, "start": "09:00", "end": "18:00"}
    assert isinstance(hotline["open_now"], bool)
    assert values["kefu@xingyunka.cn"]["open_now"] is None
    assert values["400-612-3456"]["expected_response_minutes"] == 5


def test_channels_list_hides_pending_and_suspended(client, demo):
    values = [c["value"] for c in client.get("/api/v1/channels/", {"platform": "lanjing"}).json()["results"]]
    assert values == ["400-820-7788", "https://www.lanjingka.com/kefu"]


def test_the_channel_list_has_a_constant_number_of_queries(client, demo, publish):
    from contacts.models import Platform

    client.get("/api/v1/channels/")
    with CaptureQueriesContext(connection) as before:
        client.get("/api/v1/channels/")
    platform = Platform.objects.get(slug="lanjing")
    for n in range(4):
        publish(platform, kind="member_service", value=f"400-820-77{n:02d}")
    with CaptureQueriesContext(connection) as after:
        assert len(client.get("/api/v1/channels/").json()["results"]) == 13
    assert len(after.captured_queries) == len(before.captured_queries)


def test_unknown_platform_is_a_json_404(client, db):
    response = client.get("/api/v1/platforms/nope/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_directory_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in [
        "/api/v1/platforms/",
        "/api/v1/platforms/{slug}/",
        "/api/v1/channels/",
        "/api/v1/directory/proposals/",
        "/api/v1/directory/proposals/{id}/approve/",
        "/api/v1/directory/proposals/{id}/reject/",
        "/api/v1/directory/channels/{id}/suspend/",
        "/api/v1/directory/channels/{id}/retire/",
        "/api/v1/directory/channels/{id}/evidence/",
    ]:
        assert path in schema, path
