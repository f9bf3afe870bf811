"""Hypothesis: every formatting of an official value is official; nothing else ever is."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from contacts.checker import check
from contacts.models import PUBLISHED_STATES, ContactChannel, OfficialDomain

PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# The demo directory's published phone numbers (national digits) and their canonical forms.
OFFICIAL_NUMBERS = {
    "4006123456": "+864006123456",
    "4006123457": "+864006123457",
    "95105888": "CN:95105888",
    "4008207788": "+864008207788",
}
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture
def official(demo) -> set[str]:
    published = set(
        ContactChannel.objects.filter(state__in=PUBLISHED_STATES).values_list("canonical_value", flat=True)
    )
    assert set(OFFICIAL_NUMBERS.values()) <= published
    return published


@st.composite
def formatted(draw: st.DrawFn, digits: str) -> str:
    """``digits`` as people write it: groups, separators, brackets, +86, full-width, an extension."""
    cuts = sorted(draw(st.sets(st.integers(1, len(digits) - 1), max_size=4)))
    groups = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    separators = st.sampled_from(["", " ", "-", ".", "－", "—", "\u3000"])
    text = groups[0]
    if draw(st.booleans()) and len(groups) > 1:
        text = f"({text})"
    for group in groups[1:]:
        text += draw(separators) + group
    prefix = draw(st.sampled_from(["", "+86 ", "+86", "0086 ", "0086-", "+86-", "＋86 "]))
    text = prefix + text
    # "95.10.58.88" is an IPv4 address to a browser's address bar before it is a number: the checker reads
    # such a dotted quad as the link it is (never official), so it is not one of the number's spellings.
    assume(not re.fullmatch(r"(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}", text))
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    if draw(st.booleans()):
        text += draw(st.sampled_from(["转", " 转 ", "分机", " ext. ", "#"])) + str(draw(st.integers(1, 9999)))
    before = draw(st.sampled_from(["", "客服电话：", "请拨打 ", "Call "]))
    after = draw(st.sampled_from(["", "。", "，24小时", " today"]))
    return before + text + after


@PROPERTY
@given(data=st.data())
def test_formatting_variations_of_every_official_number_are_official(official, data):
    digits = data.draw(st.sampled_from(sorted(OFFICIAL_NUMBERS)))
    text = data.draw(formatted(digits))
    results = check(text).results
    assert [(r.verdict, r.canonical) for r in results] == [("official", OFFICIAL_NUMBERS[digits])], text


@PROPERTY
@given(
    address=st.sampled_from(
        ["kefu@xingyunka.cn", "https://kf.xingyunka.cn/chat", "https://www.lanjingka.com/kefu"]
    ),
    upper=st.lists(st.booleans(), min_size=40, max_size=40),
    scheme=st.booleans(),
)
def test_case_and_scheme_variations_of_official_addresses_are_official(official, address, upper, scheme):
    text = "".join(ch.upper() if flag else ch for ch, flag in zip(address, upper, strict=False))
    text += address[len(upper) :]
    if scheme and "://" in text:
        text = text.split("://", 1)[1]
    [result] = check(text).results
    assert result.verdict == "official", text


def _is_official(result, official: set[str], domains: list[OfficialDomain]) -> bool:
    if result.canonical in official:
        return True
    if result.kind in ("url", "email"):
        host = (
            result.canonical.rpartition("@")[2] if result.kind == "email" else result.canonical.split("/")[2]
        )
        host = host.split(":")[0]
        return any(host == d.domain or host.endswith("." + d.domain) for d in domains)
    return False


@st.composite
def mutated(draw: st.DrawFn) -> str:
    digits = draw(st.sampled_from(sorted(OFFICIAL_NUMBERS)))
    i = draw(st.integers(0, len(digits) - 1))
    how = draw(st.sampled_from(["replace", "insert", "delete", "swap", "prefix"]))
    if how == "replace":
        digits = digits[:i] + draw(st.sampled_from("0123456789")) + digits[i + 1 :]
    elif how == "insert":
        digits = digits[:i] + draw(st.sampled_from("0123456789")) + digits[i:]
    elif how == "delete":
        digits = digits[:i] + digits[i + 1 :]
    elif how == "swap" and i + 1 < len(digits):
        digits = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    else:
        digits = (
            draw(st.sampled_from(["+852 ", "00852", "+95 ", "+1-", "+86 86", "0086 +86 ", "+44", "00"]))
            + digits
        )
    return draw(formatted(digits)) if draw(st.booleans()) and digits.isdigit() and len(digits) > 2 else digits


JUNK = st.lists(
    st.sampled_from(
        [
            *"0123456789+-. ()@/:#转xingyunkacnlajhefu中文客服\n",
            "www.",
            "http://",
            ".com",
            "xingyunka",
            "400",
            "95",
        ]
    ),
    max_size=30,
).map("".join)


@PROPERTY
@given(text=st.one_of(mutated(), JUNK, st.text(max_size=60)))
def test_nothing_that_is_not_an_official_channel_is_official(official, text):
    from contacts.checker import InputProblem

    domains = list(OfficialDomain.objects.all())
    try:
        results = check(text).results
    except InputProblem:
        return
    for result in results:
        if result.verdict == "official":
            assert _is_official(result, official, domains), (text, result.input, result.canonical)
