"""Shaping channels for templates: grouping by kind, open-now badges, hours lines, diff rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts import hours
from contacts.models import (
    ChannelKind,
    ChannelState,
    ContactChannel,
    HolidayRule,
    HoursMode,
    Platform,
    ProblemType,
)
from contacts.recommend import Recommendation
from contacts.values import LANGUAGES


@dataclass
class ChannelCard:
    channel: ContactChannel
    open_now: bool | None
    next_open_at: datetime | None
    hours: list[str]
    response: str
    problem_types: list[str]

    @property
    def is_retired(self) -> bool:
        return self.channel.state == ChannelState.RETIRED

    @property
    def is_overdue(self) -> bool:
        return self.channel.state == ChannelState.REVIEW_OVERDUE

    @property
    def is_external(self) -> bool:
        return self.channel.kind in (
            ChannelKind.ONLINE_CHAT,
            ChannelKind.WEB_TICKET_FORM,
            ChannelKind.OFFICIAL_APP,
        )

    @property
    def href(self) -> str:
        channel = self.channel
        if channel.is_outbound:
            return ""  # it calls customers; the directory does not say anyone answers it
        if channel.is_phone:
            number = channel.canonical_value.removeprefix("CN:").split(";")[0]
            return f"tel:{number}"
        if channel.kind == ChannelKind.EMAIL:
            return f"mailto:{channel.canonical_value}"
        if channel.kind in (ChannelKind.ONLINE_CHAT, ChannelKind.WEB_TICKET_FORM, ChannelKind.OFFICIAL_APP):
            return channel.canonical_value
        return ""


def response_text(value: timedelta | None) -> str:
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return ngettext("within %(n)d minute", "within %(n)d minutes", minutes) % {"n": minutes}
    if minutes < 60 * 48:
        hours_count = round(minutes / 60)
        return ngettext("within %(n)d hour", "within %(n)d hours", hours_count) % {"n": hours_count}
    days = round(minutes / 60 / 24)
    return ngettext("within %(n)d day", "within %(n)d days", days) % {"n": days}


def hours_lines(channel: ContactChannel) -> list[str]:
    return hours.describe(channel.schedule)


def card(channel: ContactChannel, *, at: datetime) -> ChannelCard:
    schedule = channel.schedule
    is_open = hours.open_now(schedule, at)
    return ChannelCard(
        channel=channel,
        open_now=is_open,
        next_open_at=hours.next_open_at(schedule, at) if is_open is False else None,
        hours=hours.describe(schedule),
        response=response_text(channel.expected_response_time),
        problem_types=[pt.name for pt in channel.problem_types.all()],
    )


def grouped(channels: Sequence[ContactChannel], *, at: datetime) -> list[tuple[str, list[ChannelCard]]]:
    """Channels grouped by kind in the order of ChannelKind; within a kind, live ones before retired."""
    groups: dict[str, list[ChannelCard]] = {}
    for channel in channels:
        groups.setdefault(channel.kind, []).append(card(channel, at=at))
    out = []
    for kind in ChannelKind:
        if kind.value in groups:
            cards = sorted(
                groups[kind.value], key=lambda c: (c.is_retired, c.channel.sort_order, c.channel.pk)
            )
            out.append((str(kind.label), cards))
    return out


def recommendations(ordered: Sequence[Recommendation]) -> list[dict[str, Any]]:
    at = datetime.now(hours.SHANGHAI)
    return [
        {
            "card": card(rec.channel, at=at),
            "handles": rec.handles_problem,
            "reachable": rec.reachable_now,
        }
        for rec in ordered
    ]


def _show(name: str, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if name == "windows":
        return "; ".join(f"{hours.weekday_names()[day]} {start}-{end}" for day, start, end in value)
    # Raw stored values ("zh", "always", "ignore", slugs) read as the form's own words.
    if name == "kind":
        return str(ChannelKind(value).label)
    if name == "hours_mode":
        return str(dict(HoursMode.choices).get(value, value))
    if name == "holiday_rule":
        return str(dict(HolidayRule.choices).get(value, value))
    if name == "languages" and isinstance(value, list):
        return ", ".join(str(LANGUAGES.get(str(v), v)) for v in value)
    if name == "problem_types" and isinstance(value, list):
        names = {p.slug: p.name for p in ProblemType.objects.filter(slug__in=value)}
        return ", ".join(str(names.get(str(v), v)) for v in value)
    if name == "expected_response_minutes" and isinstance(value, int):
        return response_text(timedelta(minutes=value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def diff_rows(changes: list[tuple[str, Any, Any]]) -> list[dict[str, str]]:
    labels = {
        "kind": _("Kind"),
        "value": _("Number or address"),
        "canonical_value": _("Canonical form"),
        "label": _("Label"),
        "languages": _("Languages"),
        "expected_response_minutes": _("Expected response time"),
        "problem_types": _("Problems it handles"),
        "inbound_only": _("Inbound only"),
        "offers_callback": _("Call-back"),
        "notes": _("Notes for users"),
        "hours_mode": _("Hours"),
        "windows": _("Weekly hours"),
        "holiday_rule": _("Public holidays"),
        "valid_from": _("Valid from"),
        "valid_until": _("Valid until"),
    }
    return [
        {
            "field": labels.get(name, name),
            "old": _show(name, old),
            "new": _show(name, new),
            "changed": old != new,
        }
        for name, old, new in changes
    ]


def platform_initial(platform: Platform) -> dict[str, Any]:
    return {
        "name": platform.name,
        "slug": platform.slug,
        "aliases": ", ".join(platform.aliases or []),
        "legal_name": platform.legal_name,
        "unified_social_credit_code": platform.unified_social_credit_code,
        "icp_licence": platform.icp_licence,
        "website": platform.website,
        "status": platform.status,
        "domains": "\n".join(
            d.domain if d.include_subdomains else f"={d.domain}" for d in platform.domains.all()
        ),
    }
