from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import ChannelProposal, ChannelState, ContactChannel, ProposalStatus
from tests.support.contacts import staff_client


def jsonld(body: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


def test_home_searches_by_name_alias_and_pinyin(client, demo):
    for query in ["星云", "Xingyun", "xing yun", "XYKM", "行云"]:
        body = client.get("/", {"q": query}).content.decode()
        assert 'href="/platforms/xingyun/"' in body, query
        assert 'href="/platforms/lanjing/"' not in body.split("flow-title")[0], query
    assert "没有找到" in client.get("/", {"q": "不存在的平台"}).content.decode()


def test_home_search_is_one_query(client, demo, django_assert_max_num_queries):
    from contacts.selectors import platform_search

    with CaptureQueriesContext(connection) as ctx:
        results = platform_search(query="xingyun")
    assert [p.slug for p in results] == ["xingyun"] and len(ctx.captured_queries) == 1


def test_the_problem_flow_recommends_a_channel_and_shows_the_safety_panel(client, demo):
    body = client.get(
        "/", {"platform": "xingyun", "problem": "account-stolen", "urgency": "urgent"}
    ).content.decode()
    recommended = body.split('class="recommended"')[1].split("</li>")[0]
    assert "95105-888" in recommended and "推荐" in body
    assert "官方客服绝不会索要您的密码" in body


def test_the_problem_flow_explains_bad_input(client, demo):
    response = client.get("/", {"platform": "xingyun", "problem": "nope", "urgency": "urgent"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert (
        client.get("/", {"platform": "missing", "problem": "fraud", "urgency": "urgent"}).status_code == 404
    )


def test_the_platform_page_groups_channels_and_marks_the_retired_number(client, demo):
    body = client.get("/platforms/xingyun/").content.decode()
    for heading in ["理赔专线", "紧急热线", "客服热线", "在线客服", "邮箱"]:
        assert f">{heading}</h2>" in body, heading
    assert "已停用，请改用 400-612-3456。" in body
    assert 'href="tel:+864006123456"' in body and 'href="tel:95105888"' in body
    assert "400-820-7789" not in client.get("/platforms/lanjing/").content.decode()  # pending: not public


def test_the_platform_page_json_ld_is_valid_schema_org(client, demo):
    data = jsonld(client.get("/platforms/xingyun/").content.decode())
    assert data["@context"] == "https://schema.org"
    organization, service = data["@graph"]
    assert organization["@type"] == "Organization" and organization["name"] == "星云卡盟"
    phones = {p.get("telephone") for p in organization["contactPoint"]}
    assert {"+864006123456", "+864006123457", "95105888"} <= phones
    assert "+864006123400" not in phones  # retired
    hotline = next(p for p in organization["contactPoint"] if p.get("telephone") == "+864006123457")
    days = [spec["dayOfWeek"] for spec in hotline["hoursAvailable"]]
    assert days == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert all(spec["@type"] == "OpeningHoursSpecification" for spec in hotline["hoursAvailable"])
    assert service["@type"] == "Service" and service["provider"] == {"@id": organization["@id"]}
    chat = next(
        c for c in service["availableChannel"] if c.get("serviceUrl") == "https://kf.xingyunka.cn/chat"
    )
    assert chat["@type"] == "ServiceChannel" and chat["processingTime"] == "PT1M"


def test_json_ld_cannot_break_out_of_its_script(client, demo, admin_a):
    from contacts import services
    from contacts.models import Platform

    platform = Platform.objects.get(slug="xingyun")
    services.platform_save(
        actor=admin_a, platform=platform, name="星云</script><script>alert(1)</script>", slug="xingyun"
    )
    body = client.get("/platforms/xingyun/").content.decode()
    assert "<script>alert(1)" not in body
    assert jsonld(body)["@graph"][0]["name"].startswith("星云</script>")


def test_the_platform_page_uses_a_constant_number_of_queries(client, demo, publish):
    from django.db import transaction

    from contacts import versioning
    from contacts.models import Platform

    def uncached() -> None:  # measure the rendering, not the copy kept for anonymous readers
        with transaction.atomic():
            versioning.bump()

    client.get("/platforms/xingyun/")  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as cached:
        client.get("/platforms/xingyun/")
    assert len(cached.captured_queries) == 1  # the directory version
    uncached()
    with CaptureQueriesContext(connection) as before:
        client.get("/platforms/xingyun/")
    platform = Platform.objects.get(slug="xingyun")
    for n in range(5):
        publish(
            platform,
            kind="member_service",
            value=f"400-612-35{n:02d}",
            hours_mode="weekly",
            windows=__import__("contacts.hours", fromlist=["parse_windows"]).parse_windows(
                "Mon-Fri 09:00-18:00"
            ),
        )
    with CaptureQueriesContext(connection) as after:
        body = client.get("/platforms/xingyun/").content.decode()
    assert "400-612-3504" in body
    # The directory version (publishing changed it), then the page's own queries.
    assert len(after.captured_queries) == len(before.captured_queries) <= 7


def test_review_overdue_channels_carry_a_warning(client, demo):
    from django.utils import timezone

    from contacts import services

    ContactChannel.objects.filter(value="400-612-3457").update(review_due_at=timezone.now())
    services.sweep_review_overdue()
    body = client.get("/platforms/xingyun/").content.decode()
    assert "待复核" in body and "未按时复核" in body


def test_the_history_page_says_what_and_when_but_not_who(client, demo, admin_a, admin_b):
    body = client.get("/platforms/xingyun/history/").content.decode()
    assert "400-612-3400" in body and "400-612-3456" in body
    for person in (admin_a, admin_b):
        assert person.email not in body and person.staff_number not in body


@pytest.mark.parametrize("url", ["/directory/", "/directory/platforms/xingyun/", "/directory/platforms/new/"])
def test_directory_pages_are_for_directory_admins_only(
    url, client, demo, login_as, customer, agent, supervisor, admin_a
):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (customer, agent, supervisor):
        client.logout()
        assert login_as(user).get(url).status_code == 403, user.role
    client.logout()
    assert login_as(admin_a).get(url).status_code == 200


def test_directory_admin_without_totp_is_sent_to_the_second_factor(client, demo, admin_a):
    client.force_login(admin_a)
    response = client.get("/directory/")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_two_admins_publish_through_the_web(demo, admin_a, admin_b):
    first, second = staff_client(admin_a), staff_client(admin_b)
    response = first.post(
        "/directory/platforms/lanjing/propose/",
        {
            "kind": "email",
            "value": "KeFu@LanJingKa.com",
            "problem_types": ["trade-dispute"],
            "hours_mode": "none",
            "holiday_rule": "calendar",
            "languages": ["zh"],
            "method": "official_site",
            "evidence_note": "官网页脚",
        },
    )
    assert response.status_code == 302, response.content.decode()
    proposal = ChannelProposal.objects.get(values__canonical_value="kefu@lanjingka.com")
    page = first.get(f"/directory/proposals/{proposal.pk}/").content.decode()
    assert "需要另一位目录管理员批准" in page and "批准并发布" not in page
    first.post(f"/directory/proposals/{proposal.pk}/approve/", {"fingerprint": proposal.fingerprint})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING

    review = second.get(f"/directory/proposals/{proposal.pk}/").content.decode()
    assert "kefu@lanjingka.com" in review and "批准并发布" in review
    # Publishing asks first: without the confirmation the reviewer is shown what goes public.
    unconfirmed = second.post(
        f"/directory/proposals/{proposal.pk}/approve/", {"fingerprint": proposal.fingerprint}
    )
    assert unconfirmed.url == f"/directory/proposals/{proposal.pk}/confirm/"
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    confirm = second.get(unconfirmed.url).content.decode()
    assert "kefu@lanjingka.com" in confirm and 'name="confirm" value="yes"' in confirm
    second.post(
        f"/directory/proposals/{proposal.pk}/approve/",
        {"fingerprint": proposal.fingerprint, "confirm": "yes"},
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    from django.test import Client

    assert "KeFu@LanJingKa.com" in Client().get("/platforms/lanjing/").content.decode()


def test_the_propose_form_shows_errors_not_500(demo, admin_a):
    response = staff_client(admin_a).post(
        "/directory/platforms/lanjing/propose/",
        {
            "kind": "claims_hotline",
            "value": "abc",
            "hours_mode": "weekly",
            "windows": "Mon 9-18",
            "holiday_rule": "calendar",
            "method": "official_site",
            "evidence_note": "x",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "has-error" in body and "Mon 9-18" in body


def test_suspend_and_retire_through_the_web(client, demo, admin_a):
    web = staff_client(admin_a)
    chat = ContactChannel.objects.get(value="https://kf.xingyunka.cn/chat")
    assert (
        web.post(f"/directory/channels/{chat.pk}/", {"action": "suspend", "reason": "被冒用"}).status_code
        == 302
    )
    chat.refresh_from_db()
    assert chat.state == ChannelState.SUSPENDED
    assert "kf.xingyunka.cn/chat" not in client.get("/platforms/xingyun/").content.decode()
    service = ContactChannel.objects.get(value="400-612-3457")
    hotline = ContactChannel.objects.get(value="400-612-3456")
    web.post(
        f"/directory/channels/{service.pk}/", {"action": "retire", "replacement": hotline.pk, "reason": ""}
    )
    service.refresh_from_db()
    assert service.state == ChannelState.RETIRED and service.replacement == hotline


def test_evidence_upload_goes_through_the_safe_pipeline(demo, admin_a, settings, tmp_path):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "官网截图.png"
    channel = ContactChannel.objects.get(value="400-612-3456")
    web = staff_client(admin_a)
    response = web.post(
        f"/directory/channels/{channel.pk}/",
        {"action": "evidence", "method": "official_site", "evidence_note": "截图", "file": buffer},
    )
    assert response.status_code == 302
    evidence = channel.evidence.order_by("-id").first()
    assert evidence.content_type == "image/png" and len(evidence.sha256) == 64 and evidence.file
    fake = io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 50)  # a Windows executable
    fake.name = "screenshot.png"
    response = web.post(
        f"/directory/channels/{channel.pk}/",
        {"action": "evidence", "method": "official_site", "evidence_note": "bad", "file": fake},
    )
    assert response.status_code == 200 and "has-error" in response.content.decode()


def test_evidence_files_download_only_for_directory_admins(
    demo, admin_a, client, login_as, agent, settings, tmp_path
):
    import io

    from PIL import Image

    from contacts import services

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    channel = ContactChannel.objects.get(value="400-612-3456")
    evidence = services.evidence_add(
        actor=admin_a,
        channel=channel,
        item=services.EvidenceInput(
            method="letter", note="函件", upload=SimpleUploadedFile("函件.png", buffer.getvalue())
        ),
    )
    url = f"/directory/evidence/{evidence.pk}/file/"
    assert login_as(agent).get(url).status_code == 403
    client.logout()
    response = staff_client(admin_a).get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unknown_decisions_are_404(demo, admin_a):
    proposal = ChannelProposal.objects.get(status=ProposalStatus.PENDING)
    assert staff_client(admin_a).post(f"/directory/proposals/{proposal.pk}/delete/").status_code == 404


def test_a_directory_admin_adds_a_platform_with_domains(demo, admin_a):
    from contacts.models import Platform

    web = staff_client(admin_a)
    response = web.post(
        "/directory/platforms/new/",
        {
            "name": "金龙卡盟",
            "slug": "jinlong",
            "aliases": "Jinlong, 金龙",
            "status": "active",
            "domains": "jinlongka.cn\n=pay.jinlong.com",
            "unified_social_credit_code": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    platform = Platform.objects.get(slug="jinlong")
    assert not platform.domains.exists()  # proposals, until a second admin approves
    assert sorted(platform.domain_proposals.values_list("value", "include_subdomains", "status")) == [
        ("jinlongka.cn", True, "pending"),
        ("pay.jinlong.com", False, "pending"),
    ]
    bad = web.post(
        "/directory/platforms/new/",
        {
            "name": "坏",
            "slug": "bad",
            "status": "active",
            "unified_social_credit_code": "123",
            "domains": "not a domain",
        },
    )
    assert bad.status_code == 200 and bad.content.decode().count("has-error") >= 1


def test_the_platform_page_link_preselects_the_platform_in_the_flow(client, demo):
    body = client.get("/", {"platform": "lanjing"}).content.decode()
    assert '<option value="lanjing" selected>' in body
