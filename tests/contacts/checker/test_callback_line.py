"""The call-back line (issue 11): the one number that calls customers, and the checker says so; the inbound
hotlines keep their "never calls you" warning."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from contacts.checker import check
from contacts.models import ChannelKind, never_calls_you
from contacts.values import ChannelDraft, draft_values

NEVER_CALLS = {
    "zh-Hans": "这个号码从不主动给您打电话：显示该号码的来电是伪造的。",
    "en": "This number never calls you: a call from it is spoofed.",
}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The checker API is throttled per client; earlier tests must not use up this file's allowance."""
    from django.core.cache import cache

    cache.clear()


def api(client, q: str, language: str = "zh-Hans") -> dict:
    response = client.get("/api/v1/check/", {"q": q}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    [result] = response.json()["results"]
    return result


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_the_call_back_line_is_official_and_says_it_calls_customers(client, demo, language):
    result = api(client, "021-6051-8800", language)
    assert set(result) == {
        "input",
        "kind",
        "canonical",
        "verdict",
        "platform",
        "channel",
        "replacement",
        "similar_to",
        "reason",
        "warnings",
        "extension",
        "ivr",
        "reports",
    }
    assert result["verdict"] == "official" and result["kind"] == "phone"
    assert result["reports"] is None
    assert result["canonical"] == "+862160518800"
    assert result["platform"] == {"slug": "xingyun", "name": "星云卡盟"}
    assert result["channel"]["kind"] == "callback_line"
    assert NEVER_CALLS[language] not in result["warnings"]
    if language == "en":
        assert "calls customers who asked for a call-back" in result["reason"]
        assert "will tell you your code" in result["reason"]
    else:
        assert "给申请了回电的用户打电话" in result["reason"] and "核验码" in result["reason"]
        assert "星云卡盟的官方回电专线" in result["reason"]


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_the_inbound_hotline_keeps_its_never_calls_you_warning(client, demo, language):
    result = api(client, "400-612-3456", language)
    assert result["verdict"] == "official" and result["channel"]["kind"] == "claims_hotline"
    assert NEVER_CALLS[language] in result["warnings"]
    assert "call-back" not in result["reason"] and "回电专线" not in result["reason"]


def test_the_call_back_line_in_a_message_is_recognised_next_to_the_hotline(demo):
    outcome = check("星云卡盟客服：回电专线 021-60518800，热线 400 612 3456")
    by_kind = {r.channel.kind: r for r in outcome.results if r.channel}
    assert set(by_kind) == {"callback_line", "claims_hotline"}
    assert all(r.verdict == "official" for r in outcome.results)
    assert not by_kind["callback_line"].warnings
    assert by_kind["claims_hotline"].warnings


def test_lanjing_has_no_call_back_line(client, demo):
    # 蓝鲸卡盟 published none: its hotline still never calls, and nothing else speaks for it.
    result = api(client, "400-820-7788")
    assert result["channel"]["kind"] == "claims_hotline"
    assert NEVER_CALLS["zh-Hans"] in result["warnings"]


def test_never_calls_you_depends_on_the_kind():
    assert never_calls_you(ChannelKind.CLAIMS_HOTLINE, True)
    assert not never_calls_you(ChannelKind.CLAIMS_HOTLINE, False)
    # A call-back line calls people, whatever its flag says.
    assert not never_calls_you(ChannelKind.CALLBACK_LINE, True)


def test_a_call_back_line_cannot_be_proposed_as_never_calls_you(db):
    with pytest.raises(ValidationError) as caught:
        draft_values(ChannelDraft(kind="callback_line", value="021-6051-8800", inbound_only=True))
    assert "inbound_only" in caught.value.message_dict
    values = draft_values(ChannelDraft(kind="callback_line", value="021 6051 8800"))
    assert values["canonical_value"] == "+862160518800" and values["inbound_only"] is False


def test_the_platform_page_shows_the_call_back_line_as_outbound(client, demo):
    page = client.get("/platforms/xingyun/").content.decode()
    assert "回电专线" in page and "021-6051-8800" in page
    assert "外呼专线：这个号码会给您打电话" in page
    assert 'href="tel:+862160518800"' not in page  # not offered as a number to call for help
    start = page.index("021-6051-8800")
    card = page[page.rindex('<div class="channel-card', 0, start) : page.index("</div>", start)]
    assert "此号码从不主动致电" not in card
    assert "此号码从不主动致电" in page  # the inbound hotlines keep their badge
    # Not a way to contact the platform: no schema.org ContactPoint for it.
    jsonld = page[page.index('<script type="application/ld+json">') :]
    jsonld = jsonld[: jsonld.index("</script>")]
    assert "2160518800" not in jsonld


def test_the_call_back_line_is_never_recommended(demo):
    from django.utils import timezone

    from contacts.models import ContactChannel
    from contacts.recommend import URGENT, recommend

    channels = list(
        ContactChannel.objects.filter(platform__slug="xingyun").prefetch_related("windows", "problem_types")
    )
    assert "callback_line" in {c.kind for c in channels}
    for urgency in (URGENT, "routine"):
        ordered = recommend(channels, problem_type_slug=None, urgency=urgency, at=timezone.now())
        assert ordered and "callback_line" not in {r.channel.kind for r in ordered}
