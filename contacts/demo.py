"""Demo directory (the table in issue #3, exactly, plus 星云卡盟's call-back line from issue #11; 蓝鲸卡盟
has none). Published through the real services: the first demo directory admin proposes, the second
approves (channels, official domains and websites alike). Idempotent: what exists is left alone."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from contacts import hours, services
from contacts.canonical import canonical_value
from contacts.models import (
    ChannelKind,
    ChannelState,
    ContactChannel,
    DomainProposal,
    DomainProposalKind,
    HolidayRule,
    HoursMode,
    Platform,
    ProblemType,
    ProposalStatus,
)
from contacts.values import ChannelDraft
from helpdesk.models import Role, User

ALL = "*"


@dataclass(frozen=True)
class DemoChannel:
    kind: str
    value: str
    hours: str  # "7x24", "" (none) or windows text
    handles: tuple[str, ...]
    state: str = ChannelState.VERIFIED
    replaced_by: str = ""
    response_minutes: int | None = None
    holiday_rule: str = HolidayRule.FOLLOW_CALENDAR
    inbound_only: bool = False
    offers_callback: bool = False


XINGYUN = [
    DemoChannel(
        ChannelKind.CLAIMS_HOTLINE,
        "400-612-3456",
        "7x24",
        (ALL,),
        response_minutes=5,
        inbound_only=True,
        offers_callback=True,
    ),
    DemoChannel(
        ChannelKind.CUSTOMER_SERVICE_HOTLINE,
        "400-612-3457",
        "Mon-Fri 09:00-18:00",
        ("how-to", "membership-benefit"),
        response_minutes=10,
        inbound_only=True,
    ),
    DemoChannel(
        ChannelKind.EMERGENCY_LINE,
        "95105-888",
        "7x24",
        ("account-stolen", "fraud"),
        response_minutes=3,
        inbound_only=True,
    ),
    DemoChannel(ChannelKind.ONLINE_CHAT, "https://kf.xingyunka.cn/chat", "7x24", (ALL,), response_minutes=1),
    DemoChannel(ChannelKind.EMAIL, "kefu@xingyunka.cn", "", (ALL,), response_minutes=3 * 24 * 60),
    DemoChannel(
        ChannelKind.CLAIMS_HOTLINE,
        "400-612-3400",
        "",
        (),
        state=ChannelState.RETIRED,
        replaced_by="400-612-3456",
    ),
    # The number agents call customers from (issue 11): the only one a call-back page may name.
    DemoChannel(ChannelKind.CALLBACK_LINE, "021-6051-8800", "", ()),
]
LANJING = [
    DemoChannel(
        ChannelKind.CLAIMS_HOTLINE,
        "400-820-7788",
        "Mon-Sun 08:00-22:00",
        (ALL,),
        response_minutes=5,
        holiday_rule=HolidayRule.IGNORE,
        inbound_only=True,
    ),
    DemoChannel(
        ChannelKind.ONLINE_CHAT, "https://www.lanjingka.com/kefu", "7x24", (ALL,), response_minutes=1
    ),
    DemoChannel(
        ChannelKind.CUSTOMER_SERVICE_HOTLINE,
        "400-820-7789",
        "Mon-Fri 09:00-18:00",
        ("how-to",),
        state=ChannelState.PENDING,
    ),
]


def _draft(item: DemoChannel, all_slugs: list[str]) -> ChannelDraft:
    mode = HoursMode.ALWAYS if item.hours == "7x24" else HoursMode.WEEKLY if item.hours else HoursMode.NONE
    return ChannelDraft(
        kind=item.kind,
        value=item.value,
        languages=["zh"],
        expected_response_minutes=item.response_minutes,
        problem_types=all_slugs if item.handles == (ALL,) else list(item.handles),
        inbound_only=item.inbound_only,
        offers_callback=item.offers_callback,
        hours_mode=mode,
        windows=hours.parse_windows(item.hours) if mode == HoursMode.WEEKLY else (),
        holiday_rule=item.holiday_rule,
    )


def _publish(
    platform: Platform, domain: str, item: DemoChannel, proposer: User, approver: User, slugs: list[str]
) -> None:
    canonical = canonical_value(item.kind, item.value)
    channel = ContactChannel.objects.filter(
        platform=platform, kind=item.kind, canonical_value=canonical
    ).first()
    if channel is not None:
        return
    proposal = services.channel_propose(
        actor=proposer,
        platform=platform,
        draft=_draft(item, slugs),
        evidence=[
            services.EvidenceInput(
                method="official_site",
                note="演示数据：平台官网“联系我们”页面公布的号码。",
                url=f"https://www.{domain}/contact",
            )
        ],
    )
    if item.state == ChannelState.PENDING:
        return
    channel = services.proposal_approve(actor=approver, proposal=proposal, fingerprint=proposal.fingerprint)
    if item.state == ChannelState.RETIRED:
        replacement = ContactChannel.objects.get(
            platform=platform, canonical_value=canonical_value(item.kind, item.replaced_by)
        )
        services.channel_retire(
            actor=proposer, channel=channel, reason="号码停用，已更换为新号码。", replacement=replacement
        )


def _official(platform: Platform, kind: str, value: str, proposer: User, approver: User) -> None:
    """Propose as the first admin and approve as the second, unless it is official already. A proposal
    left pending by migration 0007 (the same value, by the first admin) is approved as it stands."""
    if kind == DomainProposalKind.DOMAIN and platform.domains.filter(domain=value).exists():
        return
    if kind == DomainProposalKind.WEBSITE and platform.website == value:
        return
    waiting = DomainProposal.objects.filter(kind=kind, status=ProposalStatus.PENDING)
    if kind == DomainProposalKind.DOMAIN:
        pending = waiting.filter(value=value).first()
    else:
        pending = waiting.filter(platform=platform).first()
    if pending is not None and (
        pending.platform_id != platform.pk or pending.value != value or pending.proposed_by_id != proposer.pk
    ):
        services.domain_proposal_reject(
            actor=approver, proposal=pending, reason="演示数据：按演示目录重新提议。"
        )
        pending = None
    if pending is None:
        note = "演示数据：ICP 备案与平台官网一致。"
        if kind == DomainProposalKind.DOMAIN:
            pending = services.domain_propose(actor=proposer, platform=platform, domain=value, note=note)
        else:
            pending = services.website_propose(actor=proposer, platform=platform, website=value, note=note)
    services.domain_proposal_approve(actor=approver, proposal=pending, fingerprint=pending.fingerprint)
    platform.refresh_from_db()


@transaction.atomic
def seed() -> None:
    admins = list(User.objects.filter(role=Role.DIRECTORY_ADMIN, is_active=True).order_by("id")[:2])
    if len(admins) < 2:
        return  # seed_demo creates the demo admins first; without two, nothing can be published
    proposer, approver = admins
    slugs = list(ProblemType.objects.active().order_by("sort_order").values_list("slug", flat=True))
    for name, slug, aliases, domain, channels in (
        ("星云卡盟", "xingyun", ["Xingyun"], "xingyunka.cn", XINGYUN),
        ("蓝鲸卡盟", "lanjing", [], "lanjingka.com", LANJING),
    ):
        platform = Platform.objects.filter(slug=slug).first() or services.platform_save(
            actor=proposer, name=name, slug=slug, aliases=aliases
        )
        _official(platform, DomainProposalKind.DOMAIN, domain, proposer, approver)
        _official(platform, DomainProposalKind.WEBSITE, f"https://www.{domain}", proposer, approver)
        for item in channels:
            _publish(platform, domain, item, proposer, approver, slugs)
