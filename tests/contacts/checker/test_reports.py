"""Scam reports: the form and its bot check, reporter privacy, triage, the ``reported`` verdict, fakes."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from contacts import services
from contacts.checker import check
from contacts.forms import report_form_token
from contacts.models import Platform, ReportedValue, ReportStatus, ScamReport
from helpdesk.models import AuditEntry
from tests.support.contacts import staff_client


def network_of(who: str) -> str:
    """An address for a test person: "a", "b"… each get their own /24; real addresses pass through."""
    return who if any(c in who for c in ".:") else f"198.51.{ord(who[0])}.7"


def report(value: str, who: str, **extra) -> ScamReport:
    data = services.ReportInput(value=value, found_where=extra.pop("found_where", "sms"), **extra)
    return services.scam_report_submit(
        data=data, reporter=services.reporter_hash(user_id=None, address=network_of(who))
    )


def verdict(text: str) -> str:
    [result] = check(text).results
    return result.verdict


def form_data(**overrides) -> dict:
    data = {
        "value": "400-612-3465",
        "found_where": "search_ad",
        "asked_for": ["sms_code", "remote_app"],
        "platform": "xingyun",
        "details": "搜索“星云卡盟客服”排第一的广告",
        "website": "",
        "started": report_form_token(),
    }
    data.update(overrides)
    return data


def test_anyone_can_report_and_the_reporter_is_only_a_hash(client, demo):
    response = client.post("/check/report/", form_data(), REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="UA")
    assert response.status_code == 302 and response["Location"].startswith("/check/?q=")
    saved = ScamReport.objects.get()
    assert saved.target.canonical_value == "+864006123465" and saved.target.platform.slug == "xingyun"
    assert saved.asked_for == ["sms_code", "remote_app"] and saved.found_where == "search_ad"
    assert len(saved.reporter_hash) == 64 and "203.0.113.9" not in str(ScamReport.objects.values().get())
    entry = AuditEntry.objects.get(action="scam_report.submit")
    assert entry.ip is None  # no address in the audit trail either


def test_the_honeypot_and_a_forged_or_hasty_token_are_refused(client, demo, settings):
    assert client.post("/check/report/", form_data(website="http://spam")).status_code == 200
    assert client.post("/check/report/", form_data(started="forged:token:x")).status_code == 200
    settings.SCAM_REPORT_MIN_FILL_SECONDS = 30
    assert client.post("/check/report/", form_data()).status_code == 200
    assert not ScamReport.objects.exists()


def test_reports_are_rate_limited_per_reporter(client, demo, settings):
    from django.core.cache import cache

    cache.clear()
    settings.SCAM_REPORT_RATE = (2, 3600)
    codes = [client.post("/check/report/", form_data()).status_code for _ in range(3)]
    cache.clear()
    assert codes == [302, 302, 200] and ScamReport.objects.count() == 2


def test_a_screenshot_is_stored_privately(client, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    buffer.name = "shot.png"
    buffer.seek(0)
    response = client.post("/check/report/", {**form_data(), "screenshot": buffer})
    assert response.status_code == 302
    saved = ScamReport.objects.get()
    assert saved.screenshot.startswith("scam-reports/") and saved.screenshot_type == "image/png"


def test_three_distinct_reporters_within_the_window_make_it_reported(demo):
    assert verdict("400-612-3465") == "lookalike"
    report("4006123465", "a")
    report("400 612 3465", "a")  # the same person twice counts once
    report("400-612-3465", "b")
    assert verdict("400-612-3465") == "lookalike"
    [result] = check("400-612-3465").results
    assert result.warnings  # open reports show as a warning
    report("+86 400 612 3465", "c")
    [result] = check("400-612-3465").results
    assert result.verdict == "reported" and result.similar_to["platform"]["slug"] == "xingyun"


def test_old_reports_do_not_count(demo):
    for who in "abc":
        report("13800138000", who)
    ScamReport.objects.update(created_at=timezone.now() - timedelta(days=91))
    assert verdict("13800138000") == "unknown"


def test_an_official_channel_stays_official_without_a_report_warning(demo):
    for who in "abcd":
        report("400-612-3456", who)
    [result] = check("400-612-3456").results
    assert result.verdict == "official" and not any("reported" in w or "举报" in w for w in result.warnings)
    assert ReportedValue.objects.get(canonical_value="+864006123456").status == ReportStatus.DISPUTED


def test_confirm_dismiss_and_merge_are_audited(demo, admin_a):
    first = report("400-612-3465", "a", platform=Platform.objects.get(slug="xingyun")).target
    services.reported_value_confirm(actor=admin_a, value=first, note="冒充客服")
    assert verdict("400-612-3465") == "reported"

    other = report("xingyunka-kefu.com/login", "a").target
    assert other.canonical_value == "xingyunka-kefu.com"
    services.reported_value_dismiss(actor=admin_a, value=other, note="误报")
    assert verdict("http://xingyunka-kefu.com") == "lookalike"

    spelled = report("9510 5889", "a").target
    services.reported_value_merge(actor=admin_a, value=spelled, into=first)
    spelled.refresh_from_db()
    assert spelled.status == ReportStatus.MERGED and not spelled.reports.exists()
    assert verdict("95105889") == "reported"
    assert report("95105889", "z").target == first  # later reports join the merged-into value
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"scam_report.confirm", "scam_report.dismiss", "scam_report.merge"} <= actions


def test_only_directory_admins_triage(demo, customer):
    from django.core.exceptions import PermissionDenied

    value = report("400-612-3465", "a").target
    with pytest.raises(PermissionDenied):
        services.reported_value_confirm(actor=customer, value=value)


def test_the_triage_list_groups_by_value_with_distinct_reporters(demo, admin_a, client):
    for who in "aab":
        report("400-612-3465", who)
    report("xingyunka-kefu.com", "c")
    admin = staff_client(admin_a)
    body = admin.get("/directory/reports/").content.decode()
    assert body.count("<tr>") == 3  # header + two groups
    row = body.split("+864006123465")[1].split("</tr>")[0]
    assert "<td>3</td>" in row and "<td>2</td>" in row
    value = ReportedValue.objects.get(canonical_value="+864006123465")
    response = admin.post(
        f"/directory/reports/{value.pk}/",
        {"decision": "confirm", "platform": value.platform_id or "", "note": ""},
    )
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.status == ReportStatus.CONFIRMED
    assert client.get("/directory/reports/").status_code == 302  # anonymous: sign in first


def test_the_platform_page_lists_known_fakes(client, demo, admin_a):
    xingyun = Platform.objects.get(slug="xingyun")
    value = report("400-612-3465", "a", platform=xingyun).target
    assert "400-612-3465" not in client.get("/platforms/xingyun/").content.decode()
    services.reported_value_confirm(actor=admin_a, value=value)
    for who in "abc":
        report("xingyunka-kefu.com", who, platform=xingyun)
    body = client.get("/platforms/xingyun/").content.decode()
    fakes = body.split('id="fakes-title"')[1].split("</section>")[0]
    assert "400-612-3465" in fakes and "xingyunka-kefu.com" in fakes
    assert "400-612-3465" not in client.get("/platforms/lanjing/").content.decode()
