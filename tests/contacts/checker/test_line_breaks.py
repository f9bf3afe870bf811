"""Tabs and line breaks inside a link: a browser drops them (WHATWG), a sentence ends at them.

Two rules meet here. A tab inside a link is dropped by the browser, so a tab followed by text that still
carries a host's or user info's mark (``\\t星云.com@evil.example``) is read on, and the link goes where the
browser goes. A full stop that ends a sentence before a line break ("within 1 hour.\\n1. Open…") is prose:
the next line is not glued into a link."""

from __future__ import annotations

import pytest

from contacts.checker import check
from contacts.checker.extract import extract
from tests.contacts.checker.test_hostile_corpus import whatwg


@pytest.mark.parametrize(
    "text",
    [
        "http://kf.xingyunka.cn\t星云.com@evil.example/",
        "https://kf.xingyunka.cn\t卡盟.evil.example/chat",
        "https://kf.xingyunka.cn\t\t官网@evil.example",
    ],
)
def test_a_tab_before_text_that_goes_on_as_a_host_is_read_through(demo, text):
    whole = whatwg(text)
    assert whole is not None and "xingyunka.cn" not in whole[1].split(".")[-2:]  # the browser goes elsewhere
    verdicts = {r.verdict for r in check(text).results}
    assert "official" not in verdicts, verdicts


@pytest.mark.parametrize(
    "text",
    [
        "https://kf.xingyunka.cn\t星云卡盟在线客服",
        "https://kf.xingyunka.cn\n请点击上面的链接。",
        "kf.xingyunka.cn\t星云卡盟",
    ],
)
def test_a_tab_or_line_break_before_plain_chinese_ends_the_link(demo, text):
    (result,) = [r for r in check(text).results if r.kind == "url"]
    assert result.verdict == "official", result.reason


@pytest.mark.parametrize(
    "text",
    [
        "Report it within 1 hour.\n1. Open the app",
        "Read the rule.\nDo not pay anyone",
        "We answer within 24 hours.\n2. Keep your receipt",
    ],
)
def test_a_sentence_that_ends_before_a_line_break_is_not_a_link(text):
    assert [f for f in extract(text) if f.kind == "url"] == []


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("Visit kf.xingyunka.\ncn/chat now", "kf.xingyunka.cn/chat"),
        ("https://kf.xingyunka.cn.\nevil.example/x", "https://kf.xingyunka.cn.evil.example/x"),
        ("kefu@xingyunka.\ncn", "kefu@xingyunka.cn"),
    ],
)
def test_a_link_broken_after_one_of_its_own_dots_is_joined(text, joined):
    assert [f.text for f in extract(text) if f.kind in ("url", "email")] == [joined]
