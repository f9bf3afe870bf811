"""Cached public answers never outlive a directory change (issue 19): every kind of change is followed by
the same anonymous request, and the second answer must differ from the first, cached one."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.utils import timezone

from contacts import services, versioning
from contacts.checker import check
from contacts.checker.cached import check_json
from contacts.models import (
    ChannelState,
    ContactChannel,
    OfficialDomain,
    Platform,
    ProblemType,
    ReportedValue,
    ScamReport,
)
from tests.contacts.checker.test_reports import report
from tests.support.contacts import draft, evidence

UNLISTED = "13800138000"


def verdict(client: Client, q: str) -> str:
    response = client.get("/api/v1/check/", {"q": q})
    assert response.status_code == 200
    [result] = response.json()["results"]
    return result["verdict"]


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def xingyun(demo) -> Platform:
    return Platform.objects.get(slug="xingyun")


def channel(value: str) -> ContactChannel:
    return ContactChannel.objects.get(value=value)


def test_publishing_a_channel_changes_the_cached_answer_and_page(client, xingyun, admin_a, admin_b):
    assert verdict(client, "400-612-9999") == "unknown"
    before = page(client, "/platforms/xingyun/")
    proposal = services.channel_propose(
        actor=admin_a, platform=xingyun, draft=draft(value="400-612-9999"), evidence=evidence()
    )
    assert verdict(client, "400-612-9999") == "unknown"  # a proposal publishes nothing
    services.proposal_approve(actor=admin_b, proposal=proposal, fingerprint=proposal.fingerprint)
    assert verdict(client, "400-612-9999") == "official"
    assert "400-612-9999" not in before and "400-612-9999" in page(client, "/platforms/xingyun/")


def test_retiring_a_channel_changes_the_cached_answer_and_page(client, xingyun, admin_a):
    assert verdict(client, "95105-888") == "official"
    before = page(client, "/platforms/xingyun/")
    services.channel_retire(actor=admin_a, channel=channel("95105-888"), reason="停用")
    assert verdict(client, "95105-888") == "retired"
    assert page(client, "/platforms/xingyun/") != before


def test_suspending_a_channel_changes_the_cached_answer(client, xingyun, admin_a):
    assert verdict(client, "95105-888") == "official"
    services.channel_suspend(actor=admin_a, channel=channel("95105-888"), reason="疑似被冒用")
    assert verdict(client, "95105-888") == "suspended"


def test_approving_a_domain_changes_the_cached_answer_and_page(client, xingyun, admin_a, admin_b):
    assert verdict(client, "https://xingyun-pay.cn/") != "official"
    before = page(client, "/platforms/xingyun/")
    proposal = services.domain_propose(actor=admin_a, platform=xingyun, domain="xingyun-pay.cn")
    services.domain_proposal_approve(actor=admin_b, proposal=proposal, fingerprint=proposal.fingerprint)
    assert verdict(client, "https://xingyun-pay.cn/") == "official"
    assert "xingyun-pay.cn" not in before and "xingyun-pay.cn" in page(client, "/platforms/xingyun/")


def test_revoking_a_domain_changes_the_cached_answer(client, xingyun, admin_a):
    assert verdict(client, "https://xingyunka.cn/") == "official"
    services.domain_remove(actor=admin_a, domain=OfficialDomain.objects.get(domain="xingyunka.cn"))
    assert verdict(client, "https://xingyunka.cn/") != "official"


def test_a_report_that_reaches_the_threshold_changes_the_cached_answer(client, demo):
    report(UNLISTED, "a")
    report(UNLISTED, "b")
    first = client.get("/api/v1/check/", {"q": UNLISTED}).json()["results"][0]
    assert first["verdict"] == "unknown"
    report(UNLISTED, "c")
    second = client.get("/api/v1/check/", {"q": UNLISTED}).json()["results"][0]
    assert second["verdict"] == "reported" and second["reports"]["count"] == 3


def test_confirming_a_report_changes_the_cached_answer_and_page(client, xingyun, admin_a):
    value = report(UNLISTED, "a", platform=xingyun).target
    assert verdict(client, UNLISTED) == "unknown"
    before = page(client, "/platforms/xingyun/")
    services.reported_value_confirm(actor=admin_a, value=value, note="冒充客服")
    assert verdict(client, UNLISTED) == "reported"
    assert UNLISTED not in before and UNLISTED in page(client, "/platforms/xingyun/")


def test_dismissing_reports_changes_the_cached_answer(client, demo, admin_a):
    for who in "abc":
        report(UNLISTED, who)
    assert verdict(client, UNLISTED) == "reported"
    services.reported_value_dismiss(actor=admin_a, value=ReportedValue.objects.get(), note="误报")
    assert verdict(client, UNLISTED) == "unknown"


def test_an_appeal_decision_changes_the_cached_answer(client, demo, admin_a):
    for who in "abc":
        report(UNLISTED, who)
    assert verdict(client, UNLISTED) == "reported"
    appeal = services.appeal_submit(
        data=services.AppealInput(UNLISTED, "某人", "other", "x@example.com", "不是诈骗"), submitter="h"
    )
    assert verdict(client, UNLISTED) == "reported"
    services.appeal_decide(actor=admin_a, appeal=appeal, decision="lift", note="号码属于本人")
    assert verdict(client, UNLISTED) == "unknown"


def test_editing_a_platform_changes_the_cached_page_and_answer(client, xingyun, admin_a):
    before_page = page(client, "/platforms/xingyun/")
    before = client.get("/api/v1/check/", {"q": "95105-888"}).json()["results"][0]["platform"]["name"]
    services.platform_save(actor=admin_a, platform=xingyun, name="星云卡盟旗舰", slug="xingyun")
    assert "星云卡盟旗舰" not in before_page and "星云卡盟旗舰" in page(client, "/platforms/xingyun/")
    after = client.get("/api/v1/check/", {"q": "95105-888"}).json()["results"][0]["platform"]["name"]
    assert (before, after) == ("星云卡盟", "星云卡盟旗舰")


def test_the_review_sweep_changes_the_cached_page(client, xingyun):
    before = page(client, "/platforms/xingyun/")
    version = versioning.current()
    ContactChannel.objects.filter(state=ChannelState.VERIFIED).update(
        review_due_at=timezone.now() - timedelta(days=1)
    )
    assert services.sweep_review_overdue() > 0
    assert versioning.current().number > version.number
    assert page(client, "/platforms/xingyun/") != before


def test_a_problem_type_saved_in_the_admin_changes_the_cached_home_page(client, demo):
    before = page(client, "/")
    problem = ProblemType.objects.filter(is_active=True).order_by("sort_order").first()
    assert problem is not None
    problem.name_zh = "充值未到账（新）"
    with transaction.atomic():
        admin.site._registry[ProblemType].save_model(None, problem, None, True)  # type: ignore[arg-type]
    assert "充值未到账（新）" not in before and "充值未到账（新）" in page(client, "/")


def test_a_cached_answer_ends_when_a_counted_report_leaves_the_window(demo, settings):
    for who in "abc":
        report(UNLISTED, who)
    leaves_at = timezone.now() + timedelta(hours=1)
    ScamReport.objects.update(created_at=leaves_at - settings.SCAM_REPORT_WINDOW)
    outcome = check(UNLISTED)
    assert outcome.results[0].verdict == "reported"
    assert outcome.valid_until is not None and abs(outcome.valid_until - leaves_at) < timedelta(seconds=1)
    assert check_json(UNLISTED)["results"][0]["verdict"] == "reported"
    with time_machine.travel(leaves_at + timedelta(seconds=5)):
        assert check_json(UNLISTED)["results"][0]["verdict"] == "unknown"


def test_anonymous_pages_are_public_validated_and_set_no_cookie(client, demo):
    for path in ("/", "/platforms/xingyun/", "/check/?q=400-612-3456", "/api/v1/check/?q=400-612-3456"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not response.cookies, path
        assert response["Cache-Control"].startswith("public, max-age="), path
        assert {"Cookie", "Accept-Language"} <= {v.strip() for v in response["Vary"].split(",")}, path
        again = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304 and again["ETag"] == response["ETag"], path
    modified = client.get("/platforms/xingyun/")["Last-Modified"]
    assert client.get("/platforms/xingyun/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304


def test_an_old_etag_gets_the_new_page_after_a_change(client, xingyun, admin_a):
    etag = client.get("/platforms/xingyun/")["ETag"]
    services.channel_suspend(actor=admin_a, channel=channel("95105-888"), reason="疑似被冒用")
    response = client.get("/platforms/xingyun/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_signed_in_pages_are_private(client, demo, customer):
    client.force_login(customer)
    for path in ("/", "/platforms/xingyun/", "/check/?q=400-612-3456"):
        response = client.get(path)
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"], path
        assert "ETag" not in response, path


def test_the_version_is_bumped_only_inside_the_writing_transaction(transactional_db):
    with pytest.raises(RuntimeError):
        versioning.bump()
