"""Hypothesis: links and e-mail addresses built from official and attacker parts. Whatever the mix, a result
that says ``official`` opens (per the WHATWG parser, ada-url, called directly) or delivers to an official
host; and when the whole text is one link that a browser opens elsewhere, nothing in it is official."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.checker import check
from contacts.models import OfficialDomain
from tests.contacts.checker.test_hostile_corpus import is_official_host, mail_destination, whatwg

EXAMPLES = 400
PROPERTY = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
OFFICIAL = ("kf.xingyunka.cn", "xingyunka.cn", "www.lanjingka.com", "KF.XingYunKa.CN", "ｋｆ.xingyunka.cn")
ATTACKER = (
    "evil.example",
    "8evil.example",
    "xingyunka-kefu.com",
    "хingyunka.cn",
    "xn--ingyunka-fdh.cn",
    "0x7f.1",
    "2130706433",
    "[::1]",
    "kf.xingyunka.cn.evil.com",
    "星云.com",
    "lanjingka.com.cn",
)
DOTS = (".", "。", "｡", "．", "%2e", "%2E")
SCHEMES = (
    "https://",
    "http://",
    "",
    "HTTPS://",
    "https:\\\\",
    "https:/",
    "https:",
    "https:///",
    "ht\ttps://",
    "javascript:",
    "ws://",
)


@st.composite
def hosts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(OFFICIAL + ATTACKER), min_size=1, max_size=3))
    host = parts[0]
    for part in parts[1:]:
        # Digits after an ideographic full stop are prose ("xingyunka.cn。400-612-3456"): the checker cuts
        # them off by design (README, the browser rule), so numbers join with ASCII dots here.
        host += draw(st.sampled_from(DOTS if not part[0].isdigit() else (".", "%2e"))) + part
    if draw(st.integers(0, 9)) == 0:
        host += draw(st.sampled_from([".", "..", "。"]))
    return host


@st.composite
def links(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SCHEMES))
    userinfo = draw(st.sampled_from(["", "user", "user:pass", "a@b"]))
    if userinfo or draw(st.booleans()):
        userinfo = draw(st.sampled_from([userinfo, draw(hosts()), draw(hosts()) + ":443"]))
        if userinfo:
            text += userinfo + draw(st.sampled_from(["@", "@", "%40", "\\@", "／@", "＠"]))
    text += draw(hosts())
    text += draw(st.sampled_from(["", "", ":443", ":8080", ":99999", ":", ":abc"]))
    tail = draw(st.sampled_from(["", "/", "/chat", "\\", "?next=@", "#@", "/%2F%2F", "\\@", "/@", ";@"]))
    if tail and draw(st.booleans()):
        tail += draw(hosts())
    text += tail
    if draw(st.integers(0, 4)) == 0:
        cut = draw(st.integers(len(text) // 3, len(text)))
        text = text[:cut] + "\t" + text[cut:]  # WHATWG drops it; the checker must too
    return text


@st.composite
def mails(draw: st.DrawFn) -> str:
    local = draw(
        st.sampled_from(
            [
                "kefu",
                "KeFu",
                "a.b",
                '"kefu@xingyunka.cn"',
                "kefu%evil.example",
                "evil.example!kefu",
                "kefu(x)",
            ]
        )
    )
    if draw(st.integers(0, 5)) == 0:
        local = "@" + draw(hosts()) + ":" + local
    domain = draw(hosts())
    extra = draw(st.sampled_from(["", "", "%evil.example", "@evil.example", "@" + draw(hosts())]))
    prefix = draw(st.sampled_from(["", "", "mailto:"]))
    return f"{prefix}{local}@{domain}{extra}"


@PROPERTY
@given(text=links())
def test_official_implies_the_browser_opens_an_official_host(demo, text):
    domains = list(OfficialDomain.objects.values_list("domain", "include_subdomains"))
    results = check(text).results
    whole = whatwg(text)
    whole_official = bool(whole and whole[0] in ("http", "https") and whole[1]) and is_official_host(
        whole[1], domains
    )
    for result in results:
        if result.verdict != "official":
            continue
        if result.kind == "email":  # scheme-less "name@host" is an e-mail address
            delivered = mail_destination(result.input)
            assert delivered is not None and delivered[1], (text, result.input)
            assert is_official_host(delivered[0], domains), (text, result.input, delivered)
            continue
        assert result.kind == "url", (text, result.input)
        opened = whatwg(result.input)
        assert opened is not None and opened[0] in ("http", "https"), (text, result.input)
        assert is_official_host(opened[1], domains), (text, result.input, opened)
        # One link, no white space: the browser's reading of the whole text is the one that counts.
        assert whole_official, (text, whole, result.input)


@PROPERTY
@given(text=mails())
def test_official_implies_a_plain_address_delivered_to_an_official_domain(demo, text):
    domains = list(OfficialDomain.objects.values_list("domain", "include_subdomains"))
    whole = mail_destination(text)
    for result in check(text).results:
        if result.verdict != "official":
            continue
        assert result.kind == "email", (text, result.input)
        delivered = mail_destination(result.input)
        assert delivered is not None and delivered[1], (text, result.input)
        assert is_official_host(delivered[0], domains), (text, result.input, delivered)
        assert whole is not None and whole[1] and is_official_host(whole[0], domains), (text, whole)
