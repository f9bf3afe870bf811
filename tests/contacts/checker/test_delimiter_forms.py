"""Compatibility forms of URL delimiters (``＠`` ``﹫`` ``：`` ``﹕`` ``／`` ``＼`` ``．`` ``﹒`` ``＃``), and
the tabs, line breaks and invisible code points around them, written next to a link's user info or host.

The truth is the WHATWG URL Standard (ada-url, called directly here): the URL parser drops tabs and line
breaks; ``＠`` is no user-info delimiter to it, so it stays in the host, where UTS-46 maps it to ``@``, a
forbidden host code point, and the browser refuses the link; the soft hyphen and the variation selectors are
deleted from a host. So ``user:pass<TAB>＠kf.xingyunka.cn.`` opens nothing at all: the checker may not call
the ``kf.xingyunka.cn`` in it official. And what the browser does open on an official host is never called
a fake."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contacts.checker import InputProblem, check
from contacts.models import OfficialDomain
from tests.contacts.checker.test_hostile_corpus import is_official_host, whatwg

PROPERTY = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SCHEMES = ("", "", "https://", "http://", "https:", "HTTPS://", "https:\t//", "ht\ttps://")
USERINFO = ("user", "user:pass", "evil.example", "kf.xingyunka.cn", "a", "官网", "kf.xingyunka.cn:443")
# The compatibility forms of the delimiters (NFKC folds them; the URL parser does not), and "@" itself.
# The ASCII delimiters written before a host (``官网:kf…``, ``客服/kf…``) are prose or a path: see
# test_link_properties, test_glued_links and test_line_breaks.
DELIMITERS = ("@", "＠", "﹫", "﹕", "︓", "／", "＼", "﹨", "．", "﹒", "․", "＃", "﹟", "﹖", "％")
# Before the delimiter: WHATWG drops tabs and line breaks. On either side: UTS-46 deletes the soft hyphen,
# the grapheme joiner and the variation selectors; zero-width spaces and joiners are refused as input.
BEFORE = ("", "", "\t", "\n", "\r\n", "\t\t", "\u00ad", "\u034f", "\ufe0f", "\u200b", "\u2060")
AFTER = ("", "", "", "\u00ad", "\u034f", "\ufe0f", "\u200b")
HOSTS = ("kf.xingyunka.cn", "kf．xingyunka。cn", "KF.XingYunKa.CN", "xingyunka.cn", "evil.example")
TAILS = ("", "", ".", "。", "\t", ".\t", "/chat", "／chat", ":443")


@st.composite
def pasted(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SCHEMES))
    if draw(st.integers(0, 5)):
        text += draw(st.sampled_from(USERINFO)) + draw(st.sampled_from(BEFORE))
        text += draw(st.sampled_from(DELIMITERS)) + draw(st.sampled_from(AFTER))
    host = draw(st.sampled_from(HOSTS))
    if draw(st.integers(0, 3)) == 0:  # a gap inside the host
        cut = draw(st.integers(1, len(host) - 1))
        host = host[:cut] + draw(st.sampled_from(AFTER)) + host[cut:]
    return text + host + draw(st.sampled_from(TAILS))


def _opens_official(text: str, domains: list[tuple[str, bool]]) -> bool:
    opened = whatwg(text)
    return opened is not None and opened[0] in ("http", "https") and is_official_host(opened[1], domains)


@PROPERTY
@given(text=pasted())
@example(text="user:pass\t＠kf.xingyunka.cn.")
@example(text="user:pass＠kf.xingyunka.cn.")
@example(text="user\n＠kf.xingyunka.cn")
@example(text="user＠\nkf.xingyunka.cn")
@example(text="＠kf.xingyunka.cn")
@example(text="官网\u00adxingyunka.cn")
@example(text="kf.xingyunka.cn.")
@example(text="user:pass@kf.xingyunka.cn.")
def test_official_exactly_when_the_browser_opens_an_official_host(demo, text):
    domains = list(OfficialDomain.objects.values_list("domain", "include_subdomains"))
    try:
        results = check(text).results
    except InputProblem as problem:
        assert problem.code == "control_characters", (text, problem.code)
        return
    verdicts = [(r.input, r.verdict) for r in results]
    whole = _opens_official(text, domains)
    if any(r.verdict == "official" for r in results):
        # The pasted text is one word: the browser's reading of all of it is what opens.
        assert whole, (text, whatwg(text), verdicts)
    if whole:
        # What the browser opens is on an official domain: never branded a fake or a look-alike. (Scheme-less
        # "name@host" is an e-mail address, judged by where mail goes: test_link_properties.)
        links = [r for r in results if r.kind == "url"]
        assert all(r.verdict in ("official", "unknown") for r in links), (text, verdicts)


@pytest.mark.parametrize(
    "text",
    [
        "user:pass\t＠kf.xingyunka.cn.",
        "user:pass\t＠kf.xingyunka.cn",
        "user:pass\t﹫kf.xingyunka.cn.",
        "user\t\t＠kf.xingyunka.cn",
        "evil.example\u00ad＠kf.xingyunka.cn",
        "user:pass\n＠kf.xingyunka.cn",
        "user＠\nkf.xingyunka.cn",  # a line break after "＠" joins, as after "@"
        "＠kf.xingyunka.cn",
        "user／kf.xingyunka.cn",
        "user:pass\t＼kf.xingyunka.cn",
        "官网\u00adxingyunka.cn",
    ],
)
def test_a_delimiter_form_before_an_official_host_is_not_official(demo, text):
    assert whatwg(text) is None or not whatwg(text)[1].endswith("xingyunka.cn")  # ada-url, not the app
    with translation.override("en"):
        results = check(text).results
    assert results and all(r.verdict != "official" for r in results), [(r.input, r.verdict) for r in results]
    assert any(r.verdict == "lookalike" for r in results), [(r.input, r.reason) for r in results]


@pytest.mark.parametrize(
    "text",
    [
        "官网：kf.xingyunka.cn",  # Chinese prose punctuation is prose
        "客服/官网：kf.xingyunka.cn。",
        "官网？kf.xingyunka.cn",
        "官网\tkf.xingyunka.cn",  # a pasted table
        "☎️ kf.xingyunka.cn",
        "\u00adkf.xingyunka.cn",  # a soft hyphen the host parser deletes
        "kf.xingyunka.cn.",
        "kf．xingyunka。cn",
        "https://kf.xingyunka.cn\t/chat",
        "Website:\tkf.xingyunka.cn",  # a label, a tab, the link: a pasted table
        "官网:kf.xingyunka.cn",  # an ASCII colon after a label is prose too
        "kf.xingyunka.cn：443",  # and a Chinese colon after the host
    ],
)
def test_prose_and_invisible_marks_the_browser_deletes_stay_official(demo, text):
    results = check(text).results
    assert [r.verdict for r in results if r.kind == "url"] == ["official"], [
        (r.input, r.verdict) for r in results
    ]
