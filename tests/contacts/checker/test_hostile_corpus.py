"""The hostile corpus (``hostile_corpus.py``) against the demo directory.

The checker says ``official`` exactly when the WHATWG parser (ada-url, called here directly) opens an
official host, or mail from a plain address is delivered to an official domain; otherwise the reason names
where it really goes. Phone numbers printed next to brackets, colons, Chinese punctuation, hours and
extensions are found, without the hours."""

from __future__ import annotations

import re
from urllib.parse import unquote

import ada_url
import pytest
from django.utils import translation

from contacts.checker import check
from contacts.models import OfficialDomain
from tests.contacts.checker import hostile_corpus

KNOWN_SCHEMES = {"http", "https", "javascript", "vbscript", "data", "file", "ftp", "ws", "wss", "mailto"}
# RFC 5322 dot-atom without the routing characters "%" and "!".
PLAIN_LOCAL = re.compile(r"[A-Za-z0-9#$&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9#$&'*+/=?^_`{|}~-]+)*")


@pytest.fixture
def official_domains(demo) -> list[tuple[str, bool]]:
    domains = list(OfficialDomain.objects.values_list("domain", "include_subdomains"))
    assert ("xingyunka.cn", True) in domains and ("lanjingka.com", True) in domains
    return domains


def whatwg(text: str) -> tuple[str, str] | None:
    """(scheme, host) a browser opens for ``text``; scheme-less text is typed into the address bar."""
    stripped = re.sub(r"[\t\n\r]", "", text)
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", stripped)
    if scheme is None or scheme.group(1).lower() not in KNOWN_SCHEMES:
        text = "https://" + text
    try:
        parts = ada_url.parse_url(text)
    except ValueError:
        return None
    return parts["protocol"].rstrip(":"), parts["hostname"]


def site(host: str) -> str:
    return host[:-1] if host.endswith(".") and not host.endswith("..") else host


def is_official_host(host: str, domains: list[tuple[str, bool]]) -> bool:
    host = site(host)
    return any(host == d or (subdomains and host.endswith("." + d)) for d, subdomains in domains)


def named(reason: str, host: str) -> bool:
    host = site(host)
    return host in reason or ada_url.idna_to_unicode(host) in reason


def test_the_corpus_is_large_enough():
    assert len(hostile_corpus.urls()) + len(hostile_corpus.mails()) >= 300
    assert len(hostile_corpus.phones()) >= 300


def test_a_link_is_official_exactly_when_the_browser_opens_an_official_host(official_domains):
    failures = []
    official_count = 0
    with translation.override("en"):
        for text in hostile_corpus.urls():
            results = check(text).results
            expected = whatwg(text)
            official = expected is not None and expected[0] in ("http", "https") and bool(expected[1])
            official = official and is_official_host(expected[1], official_domains)
            official_count += official
            verdicts = [r.verdict for r in results]
            if official:
                if verdicts != ["official"] or results[0].kind != "url":
                    failures.append((text, "should be official", [(r.input, r.verdict) for r in results]))
                continue
            if "official" in verdicts:
                failures.append((text, "false official", expected, [(r.input, r.reason) for r in results]))
                continue
            link = next((r for r in results if r.kind in ("url", "email")), None)
            if link is None or link.verdict != "lookalike":
                failures.append((text, "should be a look-alike", [(r.input, r.verdict) for r in results]))
            elif (
                expected
                and expected[1]
                and expected[0] in ("http", "https")
                and not named(link.reason, expected[1])
            ):
                failures.append((text, f"reason should name {expected[1]}", link.reason))
    assert not failures, "\n".join(map(repr, failures))
    assert 30 < official_count < len(hostile_corpus.urls()) - 200  # both sides are exercised


def mail_destination(text: str) -> tuple[str, bool] | None:
    """(domain mail is delivered to, plain address?) or None when no domain can be read."""
    if text.lower().startswith("mailto:"):
        text = unquote(text[7:].split("?", 1)[0])  # a mailto: URL is percent-encoded
    local, _sep, domain = text.rpartition("@")
    if not domain or set(domain) & set('/\\?#@:%!"[]'):
        return None
    try:
        host = ada_url.parse_url("https://" + domain)["hostname"]
    except ValueError:
        return None
    return site(host), bool(PLAIN_LOCAL.fullmatch(local)) and len(local) <= 64


def test_an_email_is_official_exactly_when_a_plain_address_goes_to_an_official_domain(official_domains):
    failures = []
    official_count = 0
    with translation.override("en"):
        for text in hostile_corpus.mails():
            results = check(text).results
            expected = mail_destination(text)
            official = (
                expected is not None and expected[1] and is_official_host(expected[0], official_domains)
            )
            official_count += official
            verdicts = [r.verdict for r in results]
            if official:
                if verdicts != ["official"] or results[0].kind != "email":
                    failures.append((text, "should be official", [(r.input, r.verdict) for r in results]))
                continue
            if "official" in verdicts:
                failures.append((text, "false official", expected, [(r.input, r.reason) for r in results]))
                continue
            mail = next((r for r in results if r.kind in ("email", "url")), None)
            if mail is None or mail.verdict != "lookalike":
                failures.append((text, "should be a look-alike", [(r.input, r.verdict) for r in results]))
            elif expected is not None and not named(mail.reason, expected[0]):
                failures.append((text, f"reason should name {expected[0]}", mail.reason))
    assert not failures, "\n".join(map(repr, failures))
    assert 6 <= official_count < len(hostile_corpus.mails()) - 30


def test_the_reason_names_the_destination_in_chinese(demo):
    with translation.override("zh-hans"):
        [result] = check("https://evil.example\\@kf.xingyunka.cn/chat").results
    assert result.verdict == "lookalike"
    assert "此链接实际打开的是 evil.example" in result.reason


def test_official_numbers_next_to_brackets_hours_and_extensions_are_found_alone(demo):
    failures = []
    for line in hostile_corpus.phones():
        results = check(line.text).results
        phones = [(r.canonical, r.verdict, r.extension) for r in results if r.kind == "phone"]
        if phones != [(line.canonical, "official", line.extension)]:
            failures.append((line.text, phones))
    assert not failures, "\n".join(map(repr, failures))
