"""Which channel to try first for (platform, problem type, urgency), at a given moment.

The order follows ../shared/DOMAIN.md: a channel that handles the problem and is reachable now beats one
that does not; urgent cases go to the emergency line, then the claims hotline; routine questions to
online chat first; when the phone lines are closed, a call-back or a written ticket (which leaves a
record) comes before a closed line. SMS sender numbers and call-back lines are never recommended: they
only send or only call out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta as _timedelta

from contacts import hours
from contacts.models import PUBLISHED_STATES, ChannelKind, ContactChannel

URGENT, ROUTINE = "urgent", "routine"

_URGENT_ORDER = [
    ChannelKind.EMERGENCY_LINE,
    ChannelKind.CLAIMS_HOTLINE,
    ChannelKind.ONLINE_CHAT,
    ChannelKind.CUSTOMER_SERVICE_HOTLINE,
    ChannelKind.MEMBER_SERVICE,
    ChannelKind.WEB_TICKET_FORM,
    ChannelKind.EMAIL,
    ChannelKind.OFFICIAL_APP,
    ChannelKind.WECHAT_OFFICIAL_ACCOUNT,
    ChannelKind.QQ,
]
_ROUTINE_ORDER = [
    ChannelKind.ONLINE_CHAT,
    ChannelKind.CUSTOMER_SERVICE_HOTLINE,
    ChannelKind.MEMBER_SERVICE,
    ChannelKind.CLAIMS_HOTLINE,
    ChannelKind.WEB_TICKET_FORM,
    ChannelKind.EMAIL,
    ChannelKind.OFFICIAL_APP,
    ChannelKind.WECHAT_OFFICIAL_ACCOUNT,
    ChannelKind.QQ,
    ChannelKind.EMERGENCY_LINE,  # keep emergency lines free for emergencies
]
_NEVER = frozenset({ChannelKind.SMS_SENDER, ChannelKind.CALLBACK_LINE})  # they only send / only call out


@dataclass(frozen=True)
class Recommendation:
    channel: ContactChannel
    handles_problem: bool
    open_now: bool | None  # None: written channel without hours (email)
    next_open_at: datetime | None
    reachable_now: bool


def _reachable(channel: ContactChannel, is_open: bool | None) -> bool:
    if is_open is None:
        return True  # email and ticket forms accept a message at any time
    if is_open:
        return True
    return channel.offers_callback


def recommend(
    channels: Sequence[ContactChannel], *, problem_type_slug: str | None, urgency: str, at: datetime
) -> list[Recommendation]:
    """Published channels in the order to try them; the first is "the recommended channel"."""
    order = _URGENT_ORDER if urgency == URGENT else _ROUTINE_ORDER
    results: list[tuple[tuple[float, ...], Recommendation]] = []
    for channel in channels:
        if channel.state not in PUBLISHED_STATES or channel.kind in _NEVER:
            continue
        schedule = channel.schedule
        is_open = hours.open_now(schedule, at)
        handled = {pt.slug for pt in channel.problem_types.all()}
        handles = problem_type_slug is None or problem_type_slug in handled
        reachable = _reachable(channel, is_open)
        rec = Recommendation(
            channel=channel,
            handles_problem=handles,
            open_now=is_open,
            next_open_at=hours.next_open_at(schedule, at) if is_open is False else None,
            reachable_now=reachable,
        )
        kind_rank = order.index(ChannelKind(channel.kind)) if channel.kind in order else len(order)
        response = (channel.expected_response_time or _timedelta(days=3)).total_seconds()
        key = (
            0 if handles else 1,
            0 if reachable else 1,
            1 if channel.state != "verified" else 0,  # a channel overdue for review comes after
            response if urgency == URGENT and is_open is None else 0.0,
            kind_rank,
            channel.sort_order * 100000 + channel.pk,
        )
        results.append((key, rec))
    results.sort(key=lambda item: item[0])
    return [rec for _key, rec in results]
