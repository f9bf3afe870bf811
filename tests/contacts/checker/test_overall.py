"""The checker page's overall verdict (the highest risk in the message, plus what it asks for) and the home
page search that sends numbers and links to the checker and tolerates typos."""

from __future__ import annotations

import pytest

from contacts.checker.overall import CAUTION, DANGER, NOTHING, SAFE, overall
from tests.factories import PlatformFactory


def banner(body: str) -> str:
    start = body.index('id="check-verdict"')
    return body[start : body.index("</section>", start)]


@pytest.mark.parametrize(
    ("text", "verdicts", "level"),
    [
        ("官方热线 400-612-3456", ["official"], SAFE),
        ("400-612-3456 and 400-612-3465", ["official", "lookalike"], DANGER),
        ("请拨打 010-1234567", ["unknown"], CAUTION),
        ("【星云卡盟】您的账户异常，请回复短信验证码以便核实身份", [], DANGER),
        ("Your order is ready. Please send us the verification code we texted you.", [], DANGER),
        ("请将资金转入安全账户 400-612-3456", ["official"], DANGER),
        ("hello", [], NOTHING),
    ],
)
def test_the_overall_verdict_is_the_highest_risk(text, verdicts, level):
    result = overall(text, [{"verdict": v} for v in verdicts])
    assert result.level == level
    if level == DANGER:
        assert "96110" in result.action


def test_a_message_that_merely_mentions_a_code_without_asking_is_not_danger():
    assert overall("验证码 482913 已发送，5 分钟内有效", [{"verdict": "official"}]).level == SAFE


def test_a_pasted_sms_asking_for_a_code_gets_a_danger_banner(client, demo):
    sms = "【星云卡盟】您的账户存在风险，请将收到的验证码告诉客服，客服热线 400-612-3456"
    body = client.post("/check/", {"q": sms}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    head = banner(body)
    assert (
        'data-overall="danger"' in head and "data-focus-on-load" in head and 'aria-live="assertive"' in head
    )
    assert "索要验证码" in head and "96110" in head  # the page speaks Chinese by default
    assert 'data-verdict="official"' in body  # the item itself is still called official, truthfully
    assert body.index('id="check-verdict"') < body.index('name="q"')  # the result comes before the form


def test_an_official_number_gets_a_safe_banner(client, demo):
    body = client.get("/check/", {"q": "400-612-3456"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-overall="safe"' in banner(body)


def test_the_home_search_sends_a_phone_number_to_the_checker(client, db):
    response = client.get("/", {"q": "400-612-3465"})
    assert response.status_code == 302 and response["Location"].startswith("/check/?q=400-612-3465")
    response = client.get("/", {"q": "xingyunka-kefu.com"})
    assert response.status_code == 302 and "/check/" in response["Location"]


def test_the_home_search_tolerates_typos(client, db):
    PlatformFactory(name="星云卡盟", slug="xingyun", aliases=["Xingyun"])
    PlatformFactory(name="月光卡盟", slug="yueguang")
    for typo in ("xinyun", "xingyn", "星去卡盟"):
        body = client.get("/", {"q": typo}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'data-testid="suggestions"' in body, typo
        suggestions = body[body.index('data-testid="suggestions"') :].split("</ul>")[0]
        assert "星云卡盟" in suggestions and "月光卡盟" not in suggestions
    body = client.get("/", {"q": "qqqqqq"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="suggestions"' not in body


def test_the_problem_flow_offers_filing_a_claim(client, demo):
    from contacts.models import Platform, ProblemType

    platform = Platform.objects.get(slug="xingyun")
    problem = ProblemType.objects.get(slug="topup-not-credited")
    body = client.get(
        "/", {"platform": "xingyun", "problem": problem.slug, "urgency": "urgent"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f"/claims/new/?platform={platform.pk}&amp;problem_type={problem.pk}" in body
