from __future__ import annotations

import re

import pytest

from contacts.models import Platform, ProblemType
from helpcentre.models import HelpOutcome
from tickets.models import PlatformClaimPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(help_demo):
    return PlatformClaimPolicy.objects.create(
        platform=Platform.objects.get(slug="xingyun"),
        problem_type=ProblemType.objects.get(slug="topup-not-credited"),
        rule_zh="充值失败须在24小时内报告。",
        rule_en="Report a failed top-up within 24 hours.",
    )


def _converse(client) -> str:
    assert "platform" in client.get("/help/assistant/").content.decode()
    assert client.post("/help/assistant/", {"platform": "xingyun"}).status_code == 302
    assert client.post("/help/assistant/", {"words": "钱扣了没到账"}).status_code == 302
    assert client.post("/help/assistant/", {"order_number": "XY20260520001"}).status_code == 302
    return client.get("/help/assistant/").content.decode()


def test_it_answers_with_the_article_the_rule_and_the_channel_open_now(rule, client):
    html = _converse(client)
    assert "星云卡盟：钱扣了但充值没到账怎么办" in html
    assert "充值失败须在24小时内报告。" in html
    assert "kf.xingyunka.cn/chat" in html  # routine problem: the 7x24 online chat comes first
    assert "XY20260520001" in html


def test_it_hands_over_with_what_was_said_prefilled(rule, client):
    _converse(client)
    response = client.post("/help/assistant/", {"action": "handover"})
    assert response.status_code == 302
    assert response["Location"] == "/claims/new/"
    form = client.get("/claims/new/").content.decode()
    assert 'value="XY20260520001"' in form
    description = re.search(r"<textarea[^>]*name=\"description\"[^>]*>(.*?)</textarea>", form, re.S).group(1)
    assert "钱扣了没到账" in description
    assert "XY20260520001" in description
    topup = ProblemType.objects.get(slug="topup-not-credited").pk
    assert re.search(rf'<option value="{topup}"[^>]*selected', form)
    assert HelpOutcome.objects.filter(kind="handed_over", source="assistant").count() == 1
    # once: a later visit to the claim form starts empty
    assert 'value="XY20260520001"' not in client.get("/claims/new/").content.decode()


def test_the_handed_over_claim_carries_the_conversation_for_the_agent(rule, client, customer):
    from tickets.models import Claim

    client.force_login(customer)
    _converse(client)
    client.post("/help/assistant/", {"action": "handover"})
    form = client.get("/claims/new/").content.decode()
    description = re.search(r"<textarea[^>]*name=\"description\"[^>]*>(.*?)</textarea>", form, re.S).group(1)
    import html as htmllib

    response = client.post(
        "/claims/new/",
        {
            "form_token": re.search(r'name="form_token" value="([^"]+)"', form).group(1),
            "platform": Platform.objects.get(slug="xingyun").pk,
            "problem_type": ProblemType.objects.get(slug="topup-not-credited").pk,
            "order_number": "XY20260520001",
            "product": "100元游戏卡",
            "amount": "100",
            "currency": "CNY",
            "payment_channel": "alipay",
            "paid_at": "2026-05-20T14:30",
            "description": htmllib.unescape(description),
            "desired_outcome": "refund",
            "preferred_contact": "in_app",
        },
    )
    assert response.status_code == 302, re.findall(
        r"class=\"(?:field-error|form-errors)[^>]*>(.*?)</", response.content.decode(), re.S
    )
    claim = Claim.objects.get(order_number="XY20260520001")
    assert "钱扣了没到账" in claim.description


def test_this_solved_it_is_counted_and_ends_the_conversation(rule, client):
    _converse(client)
    client.post("/help/assistant/", {"action": "solved"})
    assert HelpOutcome.objects.filter(kind="solved", source="assistant").count() == 1
    assert "platform" in client.get("/help/assistant/").content.decode()


def test_it_asks_again_when_nothing_was_chosen(help_demo, client):
    response = client.post("/help/assistant/", {"platform": ""})
    assert response.status_code == 400
    client.post("/help/assistant/", {"platform": "xingyun"})
    response = client.post("/help/assistant/", {"words": "嗯"})
    assert response.status_code == 400


def test_it_works_with_htmx_too(rule, client):
    _converse(client)
    fragment = client.get("/help/assistant/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert "kf.xingyunka.cn/chat" in fragment
