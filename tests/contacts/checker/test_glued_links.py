"""Letters glued before a scheme-less link (``官网xingyunka.cn``): the checker reads the token from the Latin
letter on, but a phone's linkifier (Android's ``Patterns.AUTOLINK_WEB_URL`` accepts CJK in domain labels)
or a browser given the whole string opens ``官网xingyunka.cn``, another domain anyone can register under
.cn. ``official`` only when that longer reading (computed here with ada-url directly) is official too."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.checker import check
from contacts.checker.extract import extract
from contacts.models import OfficialDomain, Platform
from tests.contacts.checker.test_hostile_corpus import is_official_host, named, whatwg


def link(text: str):
    results = [r for r in check(text).results if r.kind in ("url", "email")]
    assert len(results) == 1, [(r.input, r.verdict) for r in results]
    return results[0]


@pytest.mark.parametrize(
    "text",
    [
        "官网xingyunka.cn",
        "官网xingyunka.cn/chat",
        "登录xingyunka.cn/login?next=/claims",
        "星云卡盟官方网站xingyunka.cn。",
        "请访问lanjingka.com",
        "カードxingyunka.cn",
        "카드xingyunka.cn",
        "abc官网xingyunka.cn",
        "ไทยxingyunka.cn",
        "官网ｘｉｎｇｙｕｎｋａ.cn",
        "官网xingyunka.cn:443/chat",
        "星云卡盟客服中心 官网xingyunka.cn 7x24",
    ],
)
def test_a_host_with_letters_glued_before_it_is_a_lookalike_naming_the_longer_reading(demo, text):
    glued = next(f for f in extract(text) if f.kind == "url").glued
    assert glued
    start = text.index(glued)
    rest = text[start:].split(" ")[0].rstrip("。")
    expected = whatwg(rest)
    assert expected is not None and expected[1].startswith("xn--")  # computed by ada-url, not the app
    with translation.override("en"):
        result = link(text)
    assert result.verdict == "lookalike", (text, result.reason)
    assert named(result.reason, expected[1]), result.reason
    assert result.similar_to is not None and result.similar_to["platform"]["slug"] in ("xingyun", "lanjing")
    assert "A phone or browser may read this link" in result.reason


@pytest.mark.parametrize(
    "text",
    [
        "官网www.xingyunka.cn",  # 官网www.xingyunka.cn is still under xingyunka.cn
        "官网kf.xingyunka.cn/chat",
        "客服4006123456官网kf.xingyunka.cn",
        "点击www.lanjingka.com",
        # Separated: white space or punctuation (ASCII or Chinese) before the host.
        "官网：xingyunka.cn",
        "官网:xingyunka.cn",
        "官网 xingyunka.cn",
        "官网\nxingyunka.cn",
        "官网(xingyunka.cn)",
        "官网（xingyunka.cn）",
        "官网，xingyunka.cn",
        "官网「xingyunka.cn」",
        "官网。xingyunka.cn",
        # An explicit scheme: the linkifier starts at the scheme.
        "官网https://kf.xingyunka.cn/chat",
        "官网https://xingyunka.cn",
        "官网http://www.lanjingka.com/kefu",
    ],
)
def test_separated_forms_and_subdomain_readings_stay_official(demo, text):
    result = link(text)
    assert result.verdict == "official", (text, result.reason)


def test_the_same_channel_url_glued_to_text_is_not_vouched_for(demo, publish):
    xingyun = Platform.objects.get(slug="xingyun")
    publish(xingyun, kind="online_chat", value="https://xingyunka.cn/kefu", problem_types=[])
    assert link("https://xingyunka.cn/kefu").verdict == "official"
    assert link("客服：xingyunka.cn/kefu").verdict == "official"
    result = link("在线客服xingyunka.cn/kefu")
    assert result.verdict == "lookalike" and result.channel is None
    assert named(result.reason, whatwg("在线客服xingyunka.cn/kefu")[1])  # type: ignore[index]


@pytest.mark.parametrize(
    "text",
    [
        "联系kefu@xingyunka.cn",
        "邮箱kefu@xingyunka.cn",
        "客服邮箱：kefu@xingyunka.cn",
        "写信给kefu@kf.xingyunka.cn",
    ],
)
def test_chinese_before_an_email_address_does_not_change_the_delivery_domain(demo, text):
    result = link(text)
    assert result.kind == "email" and result.verdict == "official", (text, result.reason)
    # Taken in or not, the glued text is part of the mailbox name: the domain is the same.
    assert text.rpartition("@")[2] in result.canonical


def test_the_reason_is_translated(demo):
    with translation.override("zh-hans"):
        result = link("官网xingyunka.cn")
    assert result.verdict == "lookalike"
    assert "手机或浏览器可能把它连同紧挨在前面的文字识别为" in result.reason
    assert "官网xingyunka.cn" in result.reason and "请自己输入 xingyunka.cn" in result.reason


CJK = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
    st.characters(min_codepoint=0x3041, max_codepoint=0x3096),
    st.characters(min_codepoint=0x30A1, max_codepoint=0x30FA),
)
HOSTS = ("xingyunka.cn", "kf.xingyunka.cn", "www.lanjingka.com", "lanjingka.com", "xingyunka.cn/chat")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.text(CJK, min_size=1, max_size=6), host=st.sampled_from(HOSTS))
def test_property_a_glued_prefix_is_official_only_when_the_longer_reading_is(demo, prefix, host):
    domains = list(OfficialDomain.objects.values_list("domain", "include_subdomains"))
    expected = whatwg(prefix + host)
    longer_is_official = expected is not None and is_official_host(expected[1], domains)
    result = link(prefix + host)
    assert (result.verdict == "official") == longer_is_official, (prefix + host, result.reason)
    if not longer_is_official:
        assert result.verdict == "lookalike"


@pytest.mark.parametrize(
    "text",
    [
        "user\\@k\tf.xingyunka.cn.",  # WHATWG drops the tab
        "user\\@kf.xingyunka.cn。kf.xingyunka.cn",
        "evil.example\\@kf.xingyunka.cn。www.lanjingka.com",
    ],
)
def test_a_word_with_a_slash_before_the_link_moves_the_host_for_a_browser(demo, text):
    # The whole text opens the host before the backslash; the official name is only in the path.
    result = link(text)
    assert result.verdict == "lookalike", result.reason
    assert named(result.reason, whatwg(text)[1])  # type: ignore[index]


@pytest.mark.parametrize("text", ["官网\txingyunka.cn", "星云卡盟\t官网\tkf.xingyunka.cn/chat"])
def test_a_tab_between_table_cells_is_a_separator(demo, text):
    assert link(text).verdict == "official"


@pytest.mark.parametrize(
    "text", ["客服/官网：xingyunka.cn", "举报 https://evil.example/，xingyunka.cn", "星云/蓝鲸\txingyunka.cn"]
)
def test_a_slash_in_prose_before_the_link_changes_nothing(demo, text):
    assert [r.verdict for r in check(text).results if r.input.endswith("xingyunka.cn")] == ["official"]
