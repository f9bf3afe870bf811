"""Table tests: each rule of issue #4 with several inputs, against the demo directory."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.checker import InputProblem, check, normalise


def only(text: str):
    results = check(text).results
    assert len(results) == 1, [(r.input, r.verdict) for r in results]
    return results[0]


@pytest.mark.parametrize(
    "text",
    [
        "400-612-3456",
        "4006123456",
        "400 612 3456",
        "４００－６１２－３４５６",
        "(400) 612-3456",
        "400.612.3456",
        "+86 400 612 3456",
        "0086-400-612-3456",
        "400-612-3456 转 8",
        "400-612-3456分机12",
        "400-612-3456 ext. 7",
        "400-612-3456#3",
        "拨打4006123456，按1号键",
    ],
)
def test_formatting_of_the_claims_hotline_is_official(demo, text):
    result = only(text)
    assert result.verdict == "official", (text, result.reason)
    assert result.canonical == "+864006123456"
    assert result.platform.slug == "xingyun" and result.channel.kind == "claims_hotline"


def test_an_extension_and_an_ivr_hint_are_reported_separately(demo):
    result = only("400-612-3456 转 8")
    assert result.extension == "8" and any("8" in w for w in result.warnings)
    assert only("拨通4006123456后按2").ivr == "2"


@pytest.mark.parametrize("text", ["95105-888", "95105888", "９５１０５８８８", "95105 888", "+86 95105888"])
def test_short_codes_are_canonical_without_e164(demo, text):
    result = only(text)
    assert result.verdict == "official" and result.canonical == "CN:95105888"


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        ("+852 400-612-3456", "+852"),
        ("+95 4006123456", "+95"),
        ("00 852 4006123456", "00852"),
        ("+86 +86 400-612-3456", "+8686"),
        ("0086 0086 4006123456", "0086"),
        ("+1 95105888", "+1"),
    ],
)
def test_a_foreign_or_doubled_prefix_before_an_official_number_is_a_lookalike(demo, text, prefix):
    result = only(text)
    assert result.verdict == "lookalike", (text, result.reason)
    assert result.similar_to["platform"]["slug"] == "xingyun"
    assert prefix[:3] in result.reason


@pytest.mark.parametrize(
    ("text", "similar"),
    [
        ("400-612-3467", "+864006123457"),  # one digit off from 3457 (3456 is two away)
        ("400-612-3465", "+864006123456"),  # adjacent swap
        ("400-621-3456", "+864006123456"),  # adjacent swap
        ("400-612-9456", "+864006123456"),  # one digit off
        ("95105-889", "CN:95105888"),
        ("95150888", "CN:95105888"),
        ("400-820-7787", "+864008207788"),
    ],
)
def test_one_digit_off_or_two_swapped_is_a_lookalike(demo, text, similar):
    result = only(text)
    assert result.verdict == "lookalike", (text, result.reason)
    assert result.similar_to["canonical"] == similar


def test_the_reason_says_what_differs_in_the_request_language(demo, settings):
    from django.utils import translation

    with translation.override("en"):
        assert "swapped" in only("400-612-3465").reason
        assert "One digit differs" in only("400-612-9456").reason
    with translation.override("zh-hans"):
        reason = only("400-612-9456").reason
        assert "星云卡盟" in reason and "One digit" not in reason


def test_a_retired_number_names_its_replacement(demo):
    result = only("400-612-3400")
    assert result.verdict == "retired" and result.replacement.canonical_value == "+864006123456"


def test_a_suspended_channel_is_suspended(demo, admin_a):
    from contacts import services
    from contacts.models import ContactChannel

    channel = ContactChannel.objects.get(canonical_value="+864006123457")
    services.channel_suspend(actor=admin_a, channel=channel, reason="被冒用，暂停核实")
    assert only("400-612-3457").verdict == "suspended"


def test_a_pending_channel_is_not_official(demo):
    assert only("400-820-7789").verdict != "official"


def test_106_numbers_are_sms_senders(demo):
    result = only("10690000123")
    assert result.canonical == "CN:10690000123" and result.verdict == "unknown"


@pytest.mark.parametrize(
    "text",
    [
        "https://kf.xingyunka.cn/chat",
        "kf.xingyunka.cn/chat",
        "KF.XINGYUNKA.CN",
        "http://www.xingyunka.cn/help?a=1",
        "xingyunka.cn",
        "ｗｗｗ.xingyunka.cn",
        "xingyunka。cn",
        "https://www.lanjingka.com/kefu",
        "https://user@xingyunka.cn/",
    ],
)
def test_hosts_under_an_official_domain_are_official(demo, text):
    result = only(text)
    assert result.verdict == "official", (text, result.reason)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("http://xingyunka.cn.evil.com/login", "beginning"),
        ("https://kf.xingyunka.cn.verify-center.top", "beginning"),
        ("evil.com/xingyunka.cn", "path"),
        ("https://evil.com/?next=kf.xingyunka.cn", "path"),
        ("https://kf.xingyunka.cn@evil.com/", "@"),
        ("http://xingyunka.cn:pass@evil.com/", "@"),
        ("xingyunka-kefu.com", "combines"),
        ("kefu-xingyunka.cn", "combines"),
        ("xingyunkakefu.com", "combines"),
        ("www.lanjingka-tuikuan.cn/", "combines"),
        ("xingyunka.com", "different ending"),
        ("xingyunka.com.cn", "different ending"),
        ("хingyunka.cn", "look-alike"),  # Cyrillic х
        ("xіngyunka.cn", "look-alike"),  # Cyrillic і
        ("xingyunkа.cn", "look-alike"),  # Cyrillic а
        ("x1ngyunka.cn", "look-alike"),
        ("xn--ingyunka-fdh.cn", "look-alike"),
    ],
)
def test_link_tricks_are_lookalikes(demo, text, words):
    from django.utils import translation

    with translation.override("en"):
        result = only(text)
    assert result.verdict == "lookalike", (text, result.reason)
    assert words in result.reason, result.reason
    assert result.similar_to["platform"]["slug"] == "xingyun" or "lanjing" in text


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("kefu@xingyunka.cn", "official"),
        ("KEFU@XINGYUNKA.CN", "official"),
        ("refund@xingyunka.cn", "official"),
        ("kefu@xingyunka-kefu.com", "lookalike"),
        ("kefu@xingyunka.cn.mail-verify.com", "lookalike"),
        ("xingyunka@163.com", "unknown"),
    ],
)
def test_emails_are_judged_by_their_domain(demo, text, verdict):
    result = only(text)
    assert result.kind == "email" and result.verdict == verdict, (text, result.reason)


def test_unrelated_things_are_unknown_and_never_called_safe(demo):
    from django.utils import translation

    for text in ["400-999-1234", "https://example.org", "微信号: xykf2024", "QQ：123456789", "13800138000"]:
        with translation.override("en"):
            result = only(text)
        assert result.verdict == "unknown", text
        assert "not mean it is safe" in result.reason or "not mean safe" in result.reason, result.reason


def test_a_pasted_sms_gets_one_result_per_item(demo):
    sms = (
        "【星云卡盟】尊敬的用户，您的账户存在异常，将于24小时内冻结。请立即致电客服 400-612-3465 "
        "或访问 http://xingyunka.cn.verify-kf.com/login 办理解冻，官方热线 400-612-3456，"
        "订单号20240520001，金额100元。退订回T"
    )
    results = check(sms).results
    assert [(r.input, r.verdict) for r in results] == [
        ("400-612-3465", "lookalike"),
        ("http://xingyunka.cn.verify-kf.com/login", "lookalike"),
        ("400-612-3456", "official"),
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * 10_000, "too_long"),
        ("400\x00612", "control_characters"),
        ("400-612-3456\u202e", "control_characters"),
    ],
)
def test_bad_input_is_refused_with_a_code(text, code):
    with pytest.raises(InputProblem) as info:
        normalise(text)
    assert info.value.code == code


def test_a_check_is_a_constant_number_of_queries(demo):
    message = "400-612-3465 xingyunka-kefu.com kefu@xingyunka.cn 95105889 +852 4006123456 QQ 12345678"
    with CaptureQueriesContext(connection) as ctx:
        check(message)
    assert len(ctx.captured_queries) <= 3
