"""Issue 11 item 4: reports can never brand what the directory vouches for a fake; one reporter is one
account or one network (never a User-Agent); the form token is single use; a ``reported`` verdict says how
many people reported it and when; owners appeal; report text is masked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts import selectors, services
from contacts.checker import check
from contacts.forms import report_form_token
from contacts.models import Appeal, AppealStatus, Platform, ReportedValue, ReportStatus, ScamReport
from helpdesk import context
from helpdesk.models import AuditEntry
from tests.contacts.checker.test_reports import form_data, network_of, report
from tests.factories import UserFactory
from tests.support.contacts import staff_client

UNLISTED = "13800138000"  # not a look-alike of anything in the demo directory


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


def result_for(text: str):
    [result] = check(text).results
    return result


def post_report(
    client, value: str = UNLISTED, *, address: str = "203.0.113.9", ua: str = "UA", follow=False, **extra
):
    return client.post(
        "/check/report/",
        form_data(value=value, **extra),
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=ua,
        follow=follow,
    )


def known_fake_values(client, slug: str = "xingyun") -> str:
    body = client.get(f"/platforms/{slug}/").content.decode()
    return body.split('id="fakes-title"')[1].split("</section>")[0]


# --- One reporter: an account, or a network; never a User-Agent ---------------------------------------
def test_user_agent_rotation_from_one_slash24_is_one_reporter(client, demo):
    for n, ua in enumerate(["Mozilla/5.0 A", "curl/8", "Safari B", "Edge C"]):
        assert post_report(client, address=f"203.0.113.{n + 10}", ua=ua).status_code == 302
    assert ScamReport.objects.count() == 4
    assert ScamReport.objects.values("reporter_hash").distinct().count() == 1
    assert result_for(UNLISTED).verdict == "unknown"


def test_user_agent_rotation_does_not_lift_the_rate_limit(client, demo, settings):
    settings.SCAM_REPORT_RATE = (2, 3600)
    codes = [post_report(client, address=f"203.0.113.{n}", ua=f"UA {n}").status_code for n in range(3)]
    assert codes == [302, 302, 200] and ScamReport.objects.count() == 2
    # Another network is another person.
    assert post_report(client, address="198.51.100.1").status_code == 302


def test_an_ipv6_reporter_is_their_slash64():
    same = {
        services.reporter_hash(user_id=None, address="2001:db8:1:2::1"),
        services.reporter_hash(user_id=None, address="2001:db8:1:2:ffff:ffff:ffff:ffff"),
    }
    other = services.reporter_hash(user_id=None, address="2001:db8:1:3::1")
    assert len(same) == 1 and other not in same
    assert services.reporter_network("::ffff:203.0.113.7") == "203.0.113.0/24"
    assert services.reporter_network("203.0.113.200") == "203.0.113.0/24"
    assert services.reporter_network("not an address") == "-"


def test_different_accounts_count_separately_from_one_address(client, demo):
    for user in UserFactory.create_batch(3):
        client.force_login(user)
        assert post_report(client, address="203.0.113.9").status_code == 302
    assert ScamReport.objects.values("reporter_hash").distinct().count() == 3
    assert result_for(UNLISTED).verdict == "reported"


def test_the_reporter_address_respects_trusted_proxies(client, demo, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n, forwarded in enumerate(["198.51.100.7", "192.0.2.7", "203.0.113.7"]):
        response = client.post(
            "/check/report/",
            form_data(value=UNLISTED),
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
            HTTP_USER_AGENT=f"UA {n}",
        )
        assert response.status_code == 302
    assert ScamReport.objects.values("reporter_hash").distinct().count() == 3


# --- The directory's own values are never branded fake ----------------------------------------------
OFFICIAL_VALUES = [
    ("400-612-3456", "+864006123456"),  # published claims hotline
    ("kefu@xingyunka.cn", "kefu@xingyunka.cn"),  # published email
    ("refund@xingyunka.cn", "refund@xingyunka.cn"),  # any address on the official domain
    ("https://kf.xingyunka.cn/evil-looking-path", "kf.xingyunka.cn"),  # any page on the official domain
]


@pytest.mark.parametrize(("value", "key"), OFFICIAL_VALUES)
def test_reports_of_official_values_are_disputed_never_reported(client, demo, admin_a, value, key):
    xingyun = Platform.objects.get(slug="xingyun")
    for who in "abcd":
        report(value, who, platform=xingyun)
    group = ReportedValue.objects.get(canonical_value=key)
    assert group.status == ReportStatus.DISPUTED and group.reports.count() == 4
    result = result_for(value)
    assert result.verdict == "official"
    assert result.reports is None and not any("举报" in w or "report" in w.lower() for w in result.warnings)
    assert value not in known_fake_values(client)
    with pytest.raises(ValidationError) as refused:
        services.reported_value_confirm(actor=admin_a, value=group, platform=xingyun, note="attack")
    assert refused.value.code == "official"
    group.refresh_from_db()
    assert group.status == ReportStatus.DISPUTED


def test_the_report_form_accepts_a_report_of_the_hotline_politely(client, demo):
    response = post_report(client, value="400-612-3456", follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "目录管理员" in text and 'data-verdict="official"' in text
    assert ReportedValue.objects.get().status == ReportStatus.DISPUTED
    entry = AuditEntry.objects.get(action="scam_report.submit")
    assert entry.after["disputed"] is True


def test_admins_see_disputed_values_and_cannot_confirm_them(demo, admin_a):
    for who in "abc":
        report("400-612-3456", who)
    value = ReportedValue.objects.get(canonical_value="+864006123456")
    admin = staff_client(admin_a)
    assert "+864006123456" not in admin.get("/directory/reports/").content.decode()  # not in "open"
    disputed = admin.get("/directory/reports/?status=disputed").content.decode()
    assert "+864006123456" in disputed and "badge ok" in disputed
    response = admin.post(
        f"/directory/reports/{value.pk}/", {"decision": "confirm", "platform": "", "note": "attack"}
    )
    assert response.status_code == 200 and "不能认定为假冒" in response.content.decode()
    value.refresh_from_db()
    assert value.status == ReportStatus.DISPUTED
    assert not AuditEntry.objects.filter(action="scam_report.confirm").exists()
    # Dismissing the dispute is fine, and audited.
    services.reported_value_dismiss(actor=admin_a, value=value, note="our own hotline")
    assert AuditEntry.objects.filter(action="scam_report.dismiss").exists()


def test_a_value_published_after_it_was_reported_stops_being_a_fake(client, demo, admin_a, publish):
    xingyun = Platform.objects.get(slug="xingyun")
    for who in "abc":
        report("021-6051-8899", who, platform=xingyun)
    value = ReportedValue.objects.get(canonical_value="+862160518899")
    services.reported_value_confirm(actor=admin_a, value=value, platform=xingyun)
    assert result_for("021-6051-8899").verdict == "reported"
    assert "021-6051-8899" in known_fake_values(client)

    publish(xingyun, kind="customer_service_hotline", value="021-6051-8899")

    result = result_for("021-6051-8899")
    assert result.verdict == "official" and result.reports is None and not result.warnings
    assert "021-6051-8899" not in known_fake_values(client)
    value.refresh_from_db()
    with pytest.raises(ValidationError):
        services.reported_value_confirm(actor=admin_a, value=value)
    assert selectors.reported_value_detail(value_id=value.pk).is_official


def test_the_number_of_a_published_extension_and_the_host_of_a_published_link_are_protected(
    client, demo, publish
):
    lanjing = Platform.objects.get(slug="lanjing")
    for who in "abc":
        report("021-5555-0000", who, platform=lanjing)
        report("https://chat.example-saas.com/other-room", who, platform=lanjing)
    assert result_for("021-5555-0000").verdict == "reported"
    assert result_for("https://chat.example-saas.com/other-room").verdict == "reported"

    publish(lanjing, kind="customer_service_hotline", value="021-5555-0000 转 8")
    publish(lanjing, kind="online_chat", value="https://chat.example-saas.com/lanjing", hours_mode="none")

    assert result_for("021-5555-0000").verdict != "reported"
    assert result_for("https://chat.example-saas.com/other-room").verdict != "reported"
    fakes = known_fake_values(client, "lanjing")
    assert "021-5555-0000" not in fakes and "chat.example-saas.com" not in fakes
    # The next report moves the value to the disputed list (audited, without the reporter's address).
    with context.acting_from(context.ActionContext(source="web", ip="203.0.113.9")):
        report("021-5555-0000", "z")
    assert ReportedValue.objects.get(canonical_value="+862155550000").status == ReportStatus.DISPUTED
    disputed = AuditEntry.objects.get(action="scam_report.disputed")
    assert disputed.ip is None and disputed.after["status"] == "disputed"


def test_a_disputed_value_cannot_be_merged_into_a_fake(demo, admin_a):
    fake = report(UNLISTED, "a").target
    hotline = report("400-612-3456", "a").target
    with pytest.raises(ValidationError):
        services.reported_value_merge(actor=admin_a, value=hotline, into=fake)
    with pytest.raises(ValidationError):
        services.reported_value_merge(actor=admin_a, value=fake, into=hotline)


# --- Single-use form token ------------------------------------------------------------------------------
def test_a_report_token_is_single_use(client, demo):
    data = form_data(value=UNLISTED)
    first = client.post("/check/report/", data, REMOTE_ADDR="203.0.113.9")
    second = client.post("/check/report/", data, REMOTE_ADDR="198.51.100.9", HTTP_USER_AGENT="other")
    assert first.status_code == 302 and second.status_code == 200
    assert "已经提交过" in second.content.decode()
    assert ScamReport.objects.count() == 1
    assert UNLISTED in second.content.decode()  # what the user typed is kept


def test_a_token_for_one_form_is_refused_by_the_other(client, demo):
    response = client.post("/check/report/", form_data(started=report_form_token("appeal")))
    assert response.status_code == 200 and not ScamReport.objects.exists()


# --- The verdict says how many and when -------------------------------------------------------------------
def test_a_reported_verdict_says_how_many_people_and_when(client, demo):
    for who in "abc":
        report(UNLISTED, who)
    now = timezone.now()
    first, last = now - timedelta(days=20), now - timedelta(days=2)
    reports = list(ScamReport.objects.order_by("id"))
    for saved, at in zip(reports, [first, now - timedelta(days=9), last], strict=True):
        ScamReport.objects.filter(pk=saved.pk).update(created_at=at)
    day = lambda moment: timezone.localtime(moment).date().isoformat()  # noqa: E731
    result = result_for(UNLISTED)
    assert result.verdict == "reported"
    assert "3" in result.reason and day(first) in result.reason and day(last) in result.reason
    body = client.get("/api/v1/check/", {"q": UNLISTED}, HTTP_ACCEPT_LANGUAGE="en").json()
    [item] = body["results"]
    assert item["verdict"] == "reported" and "3 different people" in item["reason"]
    assert item["reports"]["count"] == 3 and item["reports"]["confirmed"] is False
    assert item["reports"]["first_reported_at"][:10] == first.isoformat()[:10]
    assert day(last) in item["reason"]
    page = client.post("/check/", {"q": UNLISTED}).content.decode()
    assert "/check/appeal/?value=" in page


def test_official_results_keep_the_documented_keys(client, demo):
    [item] = client.get("/api/v1/check/", {"q": "400-612-3456"}).json()["results"]
    assert item["verdict"] == "official" and item["reports"] is None


# --- Appeals --------------------------------------------------------------------------------------------
def appeal_data(**overrides) -> dict:
    data = {
        "value": UNLISTED,
        "appellant_role": "owner",
        "appellant_name": "王先生",
        "contact": "13912345678",
        "explanation": "这是我本人的手机号，已用了十年。卡号 4111 1111 1111 1111 只是举例。",
        "website": "",
        "started": report_form_token("appeal"),
    }
    data.update(overrides)
    return data


def test_an_owner_appeals_and_an_admin_lifts_the_reports(client, demo, admin_a):
    for who in "abc":
        report(UNLISTED, who)
    assert result_for(UNLISTED).verdict == "reported"

    response = client.post("/check/appeal/", appeal_data(), REMOTE_ADDR="203.0.113.50")
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.reported_value.canonical_value == "+8613800138000" and appeal.status == AppealStatus.OPEN
    assert "4111 1111 1111 1111" not in appeal.explanation and "1111" in appeal.explanation
    submitted = AuditEntry.objects.get(action="appeal.submit")
    assert "13912345678" not in str(submitted.after) and submitted.ip is None
    assert submitted.after["contact"] == "139****5678"

    admin = staff_client(admin_a)
    listing = admin.get("/directory/appeals/").content.decode()
    assert UNLISTED in listing and "王先生" in listing
    detail = admin.get(f"/directory/appeals/{appeal.pk}/").content.decode()
    assert "13912345678" in detail  # admins need to reach the appellant
    response = admin.post(f"/directory/appeals/{appeal.pk}/", {"decision": "lift", "note": "核实为本人"})
    assert response.status_code == 302

    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.LIFTED and appeal.decided_by == admin_a
    assert appeal.reported_value.status == ReportStatus.DISMISSED
    assert result_for(UNLISTED).verdict == "unknown"
    lifted = AuditEntry.objects.get(action="appeal.lift")
    assert lifted.before["status"] == "open" and lifted.after["status"] == "lifted"
    assert "13912345678" not in str(lifted.after)
    assert AuditEntry.objects.filter(action="scam_report.dismiss", object_id=str(appeal.reported_value_id))
    # Decided once: a second decision is refused.
    with pytest.raises(ValidationError):
        services.appeal_decide(actor=admin_a, appeal=appeal, decision="uphold", note="again")


def test_an_upheld_appeal_keeps_the_reports(demo, admin_a):
    for who in "abc":
        report(UNLISTED, who)
    appeal = services.appeal_submit(
        data=services.AppealInput(UNLISTED, "某人", "other", "x@example.com", "不是诈骗"), submitter="h"
    )
    services.appeal_decide(actor=admin_a, appeal=appeal, decision="uphold", note="举报属实")
    assert result_for(UNLISTED).verdict == "reported"
    assert AuditEntry.objects.get(action="appeal.uphold").after["status"] == "upheld"


def test_appeals_are_bot_checked_single_use_and_only_for_reported_values(client, demo, customer):
    report(UNLISTED, "a")
    assert client.post("/check/appeal/", appeal_data(website="http://spam")).status_code == 200
    assert client.post("/check/appeal/", appeal_data(started="forged:token:x")).status_code == 200
    unreported = client.post("/check/appeal/", appeal_data(value="13700137000"))
    assert unreported.status_code == 200 and "13700137000" in unreported.content.decode()
    data = appeal_data()
    assert client.post("/check/appeal/", data).status_code == 302
    assert client.post("/check/appeal/", data).status_code == 200
    assert Appeal.objects.count() == 1
    with pytest.raises(Exception) as denied:
        services.appeal_decide(actor=customer, appeal=Appeal.objects.get(), decision="lift", note="x")
    assert denied.type.__name__ == "PermissionDenied"


def test_the_check_page_links_to_the_appeal_form(client, demo):
    response = client.get("/check/appeal/", {"value": UNLISTED})
    assert response.status_code == 200 and UNLISTED in response.content.decode()


# --- Report text is masked before storage -----------------------------------------------------------------
def test_report_text_is_masked_before_storage(client, demo):
    details = "对方让我报银行卡 4111 1111 1111 1111 和验证码 654321"
    response = post_report(client, details=details, follow=True)
    assert response.status_code == 200
    saved = ScamReport.objects.get()
    assert "4111 1111 1111 1111" not in saved.details and "654321" not in saved.details
    assert "对方让我报银行卡" in saved.details
    assert network_of("a") != network_of("b")


def test_a_check_with_reports_costs_one_more_query_at_most(demo, django_assert_max_num_queries):
    for who in "abc":
        report(UNLISTED, who)
        report("https://fake-kefu.example.com/a", who)
    message = f"call {UNLISTED} or open https://fake-kefu.example.com/b, official 400-612-3456"
    with django_assert_max_num_queries(4):
        results = check(message).results
    assert [r.verdict for r in results].count("reported") == 2
