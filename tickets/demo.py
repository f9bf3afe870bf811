"""Demo teams and claims. Idempotent.

Teams (the general and senior teams of migration 0005): ``agent@demo.claimdesk.cn`` works General,
``agent2@demo.claimdesk.cn`` Senior, the supervisor both. Claims of customer@demo.claimdesk.cn: three on
星云卡盟 (``xingyun``), routed to General, and two on 蓝鲸卡盟 (``lanjing``) that the routing rules send to
Senior (an account theft and a high-value top-up, which also gets a call-back): each team has open claims.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from contacts.models import Platform, ProblemType
from helpdesk.audit import audit_record
from helpdesk.models import User
from tickets.claims.services import ClaimInput, claim_confirm_resolved, claim_create
from tickets.models import (
    Claim,
    ClaimEvent,
    ClaimStatus,
    EventKind,
    Macro,
    PlatformClaimPolicy,
    Team,
    TeamMembership,
)

DEMO_CUSTOMER = "customer@demo.claimdesk.cn"

# team slug, name, is_general, is_senior (as created by migration 0005)
DEMO_TEAMS = [
    ("general", "综合组 General", True, False),
    ("senior", "高级组 Senior", False, True),
]
DEMO_MEMBERS = {
    "agent@demo.claimdesk.cn": ("general",),
    "agent2@demo.claimdesk.cn": ("senior",),
    "supervisor@demo.claimdesk.cn": ("general", "senior"),
}

DEMO_CLAIMS = [
    # order number, problem type, amount, channel, hours ago, description, outcome
    (
        "XY20261120001",
        "topup-not-credited",
        "100.00",
        "alipay",
        3,
        "今天中午12:10在星云卡盟充值100元游戏点卡，支付宝已扣款，30分钟后仍未到账，订单显示“处理中”，刷新了3次。",
        "reissue",
    ),
    (
        "XY20261118007",
        "card-code-invalid",
        "50.00",
        "wechat",
        60,
        "购买的50元话费卡密在运营商页面提示“卡密已被使用”，购买后立即使用，截图已附。",
        "refund",
    ),
    (
        "XY20261101042",
        "duplicate-charge",
        "30.00",
        "bank_card",
        24 * 12,
        "同一订单被扣款两次，银行卡账单上有两笔30元记录，平台只显示一笔订单。",
        "refund",
    ),
]

# Claims the routing rules send to the senior team (platform 蓝鲸卡盟): same columns, all left open.
SENIOR_CLAIMS = [
    (
        "LJ20261121003",
        "account-stolen",
        "268.00",
        "wechat",
        5,
        "蓝鲸卡盟账号今天上午被盗，登录手机号被改，账户余额268元被用来购买卡密，已修改密码但无法登录。",
        "compensation",
    ),
    (
        "LJ20261122008",
        "topup-not-credited",
        "800.00",
        "alipay",
        2,
        "在蓝鲸卡盟充值800元，支付宝已扣款，两小时后仍未到账，客服在线聊天无人回复。",
        "reissue",
    ),
]


# Canned replies (name, body zh + en, then set status): matched by name, so re-seeding changes nothing and a
# supervisor's edits to a seeded reply are kept.
DEMO_MACROS = [
    (
        "请提供付款截图 Ask for the payment screenshot",
        "您好，为了尽快核实，请上传付款成功页面的截图（需能看到金额、时间和交易单号）。"
        "我们收到后会立即联系平台。\n\n"
        "Hello, to check this quickly please upload a screenshot of the payment confirmation "
        "showing the amount, time and transaction number. "
        "We will contact the platform as soon as we have it.",
        ClaimStatus.WAITING_ON_CUSTOMER,
    ),
    (
        "充值正在重新发放 Top-up being re-sent",
        "您好，平台已确认您的付款，正在重新发放充值，通常在 2 小时内到账。"
        "到账后请在本页确认，未到账请直接回复。\n\n"
        "Hello, the platform has confirmed your payment and is re-sending the top-up; "
        "it usually arrives within 2 hours. Please confirm here once it has arrived, or reply if it has not.",
        ClaimStatus.WAITING_ON_PLATFORM,
    ),
    (
        "账号找回步骤 Account recovery steps",
        "您好，请按以下步骤找回账号：1）只通过平台官网或本站列出的官方渠道操作；"
        "2）准备注册手机号、最近一次充值记录和身份证明；"
        "3）提交找回申请后把申请编号回复给我们。任何人索要您的密码或短信验证码都是诈骗。\n\n"
        "Hello, to recover your account: 1) use only the platform's official website "
        "or the official channels listed here; 2) have your registered phone number, "
        "your latest top-up record and proof of identity ready; "
        "3) send us the request number once you have applied. "
        "Anyone asking for your password or SMS code is a scammer.",
        "",
    ),
]


def seed_macros() -> None:
    for name, body, status in DEMO_MACROS:
        macro, created = Macro.objects.get_or_create(name=name, defaults={"body": body, "set_status": status})
        if created:
            audit_record(actor=None, action="macro.created", obj=macro, after={"name": name, "seeded": True})


def seed() -> None:
    seed_teams()
    seed_macros()
    customer = User.objects.filter(email=DEMO_CUSTOMER).first()
    if customer is None:
        return
    platform, _created = Platform.objects.get_or_create(slug="xingyun", defaults={"name": "星云卡盟"})
    topup = ProblemType.objects.filter(slug="topup-not-credited").first()
    if topup is not None:
        PlatformClaimPolicy.objects.get_or_create(
            platform=platform,
            problem_type=topup,
            defaults={
                "report_within": timedelta(hours=24),
                "resolution_promise": timedelta(hours=24),
                "rule_zh": "充值失败须在24小时内报告，平台承诺24小时内处理。",
                "rule_en": (
                    "Failed top-ups must be reported within 24 hours; "
                    "the platform promises a fix within 24 hours."
                ),
            },
        )
    now = timezone.now()
    for order, type_slug, amount, channel, hours_ago, description, outcome in DEMO_CLAIMS:
        claim = _claim(
            customer, platform, now, order, type_slug, amount, channel, hours_ago, description, outcome
        )
        if claim is None:
            continue
        if type_slug == "card-code-invalid":
            ClaimEvent.objects.create(
                claim=claim,
                kind=EventKind.AGENT_REPLY,
                actor_label="A1001",
                body="您好，请提供运营商页面的报错截图和卡密购买记录，我们将联系商家核实。",
                created_at=now - timedelta(hours=hours_ago - 1),
            )
            Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.WAITING_ON_CUSTOMER)
        if type_slug == "duplicate-charge":
            claim_confirm_resolved(claim=claim, actor=customer)
    lanjing, _created = Platform.objects.get_or_create(slug="lanjing", defaults={"name": "蓝鲸卡盟"})
    for row in SENIOR_CLAIMS:
        _claim(customer, lanjing, now, *row)


def seed_teams() -> None:
    """The demo staff join their teams (added only: a membership changed by hand is left alone)."""
    teams = {
        slug: Team.objects.get_or_create(
            slug=slug, defaults={"name": name, "is_general": is_general, "is_senior": is_senior}
        )[0]
        for slug, name, is_general, is_senior in DEMO_TEAMS
    }
    for user in User.objects.filter(email__in=list(DEMO_MEMBERS)):
        for slug in DEMO_MEMBERS[user.email]:
            _membership, created = TeamMembership.objects.get_or_create(user=user, team=teams[slug])
            if created:
                audit_record(actor=None, action="team.member_added", obj=teams[slug], after={"user": user.pk})


def _claim(
    customer: User,
    platform: Platform,
    now: datetime,
    order: str,
    type_slug: str,
    amount: str,
    channel: str,
    hours_ago: int,
    description: str,
    outcome: str,
) -> Claim | None:
    """File one demo claim through ``claim_create`` (triage, routing, SLA, call-back), dated hours ago."""
    if Claim.objects.filter(customer=customer, platform=platform, order_number=order).exists():
        return None
    problem_type = ProblemType.objects.filter(slug=type_slug).first()
    if problem_type is None:
        return None
    claim = claim_create(
        customer=customer,
        data=ClaimInput(
            platform=platform,
            problem_type=problem_type,
            order_number=order,
            product="游戏点卡" if type_slug != "card-code-invalid" else "50元话费卡",
            amount=Decimal(amount),
            payment_channel=channel,
            paid_at=now - timedelta(hours=hours_ago, minutes=20),
            description=description,
            desired_outcome=outcome,
            contact_phone="+8613800138000",
            preferred_contact="phone",
        ),
    )
    Claim.objects.filter(pk=claim.pk).update(created_at=now - timedelta(hours=hours_ago))
    ClaimEvent.objects.filter(claim=claim).update(created_at=now - timedelta(hours=hours_ago))
    return claim
