from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from contacts.models import ChannelProposal, ChannelState, ContactChannel, ProposalStatus
from tests.support.auth import issue_token

NEW_CHANNEL = {
    "platform": "lanjing",
    "kind": "emergency_line",
    "value": "95105-777",
    "problem_types": ["account-stolen"],
    "hours_mode": "weekly",
    "windows": [{"weekday": 4, "start": "22:00", "end": "02:00"}],
    "holiday_rule": "ignore",
    "evidence": [{"method": "letter", "note": "平台盖章函件"}],
}


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)}")
    return client


def test_two_admins_publish_through_the_api(demo, admin_a, admin_b):
    created = api_for(admin_a).post("/api/v1/directory/proposals/", NEW_CHANNEL, format="json")
    assert created.status_code == 201, created.json()
    proposal = created.json()
    assert proposal["values"]["canonical_value"] == "CN:95105777"
    own = api_for(admin_a).post(
        f"/api/v1/directory/proposals/{proposal['id']}/approve/", {"fingerprint": proposal["fingerprint"]}
    )
    assert own.status_code == 403
    assert "另一位目录管理员" in own.json()["error"]["message"]
    approved = api_for(admin_b).post(
        f"/api/v1/directory/proposals/{proposal['id']}/approve/", {"fingerprint": proposal["fingerprint"]}
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["state"] == "verified"
    values = [
        c["value"] for c in APIClient().get("/api/v1/channels/", {"platform": "lanjing"}).json()["results"]
    ]
    assert "95105-777" in values


def test_a_stale_fingerprint_is_refused(demo, admin_a, admin_b):
    proposal = ChannelProposal.objects.get(status=ProposalStatus.PENDING)
    response = api_for(admin_b).post(
        f"/api/v1/directory/proposals/{proposal.pk}/approve/", {"fingerprint": "x"}
    )
    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_bad_input_is_a_field_error_not_a_500(demo, admin_a):
    response = api_for(admin_a).post(
        "/api/v1/directory/proposals/",
        {**NEW_CHANNEL, "value": "hello", "problem_types": ["nope"]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"value", "problem_types"}


def test_reject_suspend_and_retire(demo, admin_a, admin_b):
    pending = ChannelProposal.objects.get(status=ProposalStatus.PENDING)
    assert api_for(admin_b).post(f"/api/v1/directory/proposals/{pending.pk}/reject/", {}).status_code == 400
    response = api_for(admin_b).post(
        f"/api/v1/directory/proposals/{pending.pk}/reject/", {"reason": "官网查无此号"}
    )
    assert response.json()["status"] == "rejected"
    chat = ContactChannel.objects.get(value="https://www.lanjingka.com/kefu")
    response = api_for(admin_a).post(f"/api/v1/directory/channels/{chat.pk}/suspend/", {"reason": "仿冒"})
    assert response.status_code == 200 and response.json()["state"] == ChannelState.SUSPENDED
    hotline = ContactChannel.objects.get(value="400-820-7788")
    response = api_for(admin_a).post(f"/api/v1/directory/channels/{hotline.pk}/retire/", {"reason": "停用"})
    assert response.status_code == 200 and response.json()["state"] == ChannelState.RETIRED


@pytest.mark.parametrize("role", ["customer", "agent", "supervisor"])
def test_other_roles_cannot_write(role, request, demo):
    user = request.getfixturevalue(role)
    client = APIClient()
    client.force_authenticate(user)
    proposal = ChannelProposal.objects.get(status=ProposalStatus.PENDING)
    channel = ContactChannel.objects.get(value="400-820-7788")
    assert client.post("/api/v1/directory/proposals/", NEW_CHANNEL, format="json").status_code == 403
    assert client.get("/api/v1/directory/proposals/").status_code == 403
    assert (
        client.post(f"/api/v1/directory/proposals/{proposal.pk}/approve/", {"fingerprint": "x"}).status_code
        == 403
    )
    assert (
        client.post(f"/api/v1/directory/channels/{channel.pk}/suspend/", {"reason": "x"}).status_code == 403
    )


def test_anonymous_clients_cannot_write(demo):
    response = APIClient().post("/api/v1/directory/proposals/", NEW_CHANNEL, format="json")
    assert response.status_code in (401, 403)


def test_an_unverified_staff_session_does_not_count_for_the_api(demo, client, admin_a):
    client.force_login(admin_a)  # signed in, but never passed TOTP
    assert client.get("/api/v1/directory/proposals/").status_code in (401, 403)


def test_directory_admins_list_pending_proposals(demo, admin_a):
    body = api_for(admin_a).get("/api/v1/directory/proposals/", {"status": "pending"}).json()
    assert [p["values"]["value"] for p in body["results"]] == ["400-820-7789"]


def test_a_retried_proposal_with_the_same_idempotency_key_is_created_once(demo, admin_a):
    client = api_for(admin_a)
    first = client.post(
        "/api/v1/directory/proposals/", NEW_CHANNEL, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        "/api/v1/directory/proposals/", NEW_CHANNEL, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert ChannelProposal.objects.filter(values__canonical_value="CN:95105777").count() == 1


def test_two_admins_make_a_domain_official_through_the_api(demo, admin_a, admin_b):
    from contacts.checker import check
    from contacts.models import OfficialDomain

    new = {"platform": "lanjing", "kind": "domain", "value": "lanjing-pay.com", "note": "ICP 备案一致"}
    created = api_for(admin_a).post("/api/v1/directory/domain-proposals/", new, format="json")
    assert created.status_code == 201, created.json()
    proposal = created.json()
    assert (proposal["status"], proposal["value"]) == ("pending", "lanjing-pay.com")
    url = f"/api/v1/directory/domain-proposals/{proposal['id']}/approve/"
    own = api_for(admin_a).post(url, {"fingerprint": proposal["fingerprint"]})
    assert own.status_code == 403 and not OfficialDomain.objects.filter(domain="lanjing-pay.com").exists()
    assert api_for(admin_b).post(url, {"fingerprint": "x"}).status_code == 400
    approved = api_for(admin_b).post(url, {"fingerprint": proposal["fingerprint"]})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert check("https://pay.lanjing-pay.com/").results[0].verdict == "official"


@pytest.mark.parametrize("value", ["github.io", "t.cn", "xingyun.vercel.app"])
def test_a_domain_that_cannot_be_owned_is_a_field_error(demo, admin_a, value):
    new = {"platform": "lanjing", "kind": "domain", "value": value}
    response = api_for(admin_a).post("/api/v1/directory/domain-proposals/", new, format="json")
    assert response.status_code == 400, response.json()
    assert "domain" in response.json()["error"]["fields"]


def test_domain_proposals_are_for_directory_admins(demo, agent):
    assert api_for(agent).get("/api/v1/directory/domain-proposals/").status_code == 403
