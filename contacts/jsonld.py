"""schema.org JSON-LD for a platform page: Organization + ContactPoint (+ OpeningHoursSpecification) and a
Service whose ServiceChannels carry ``processingTime`` (the expected response time, ISO 8601)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.utils.html import _json_script_escapes  # type: ignore[attr-defined]
from django.utils.safestring import SafeString, mark_safe

from contacts import hours
from contacts.models import PUBLISHED_STATES, ChannelKind, ContactChannel, Platform

_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_LANGUAGE_NAMES = {"zh": "Chinese", "en": "English", "yue": "Cantonese"}


def iso_duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 60 * 24)
    hours_part, minutes_part = divmod(rest, 60)
    out = "P" + (f"{days}D" if days else "")
    if hours_part or minutes_part or not days:
        out += (
            "T"
            + (f"{hours_part}H" if hours_part else "")
            + (f"{minutes_part}M" if minutes_part or not hours_part else "")
        )
    return out


def _opening_hours(channel: ContactChannel) -> list[dict[str, Any]]:
    schedule = channel.schedule
    if schedule.mode == hours.ALWAYS:
        return [
            {"@type": "OpeningHoursSpecification", "dayOfWeek": _DAYS, "opens": "00:00", "closes": "23:59"}
        ]
    specs = []
    for window in schedule.windows:
        specs.append(
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": _DAYS[window.weekday],
                "opens": f"{window.start:%H:%M}",
                "closes": f"{window.end:%H:%M}",
            }
        )
    return specs


def _contact_point(channel: ContactChannel) -> dict[str, Any]:
    point: dict[str, Any] = {"@type": "ContactPoint", "contactType": str(channel.get_kind_display())}
    if channel.is_phone:
        point["telephone"] = channel.canonical_value.removeprefix("CN:").replace(";ext=", " ext. ")
    elif channel.kind == ChannelKind.EMAIL:
        point["email"] = channel.canonical_value
    else:
        point["url"] = channel.canonical_value
    if channel.languages:
        point["availableLanguage"] = [_LANGUAGE_NAMES.get(code, code) for code in channel.languages]
    opening = _opening_hours(channel)
    if opening:
        point["hoursAvailable"] = opening
    return point


def platform_jsonld(platform: Platform, channels: list[ContactChannel], page_url: str) -> dict[str, Any]:
    # A call-back line calls customers; it is no way to contact the platform, so it is no ContactPoint.
    published = [c for c in channels if c.state in PUBLISHED_STATES and not c.is_outbound]
    points = {c.pk: _contact_point(c) for c in published}
    org_id = page_url + "#organization"
    organization: dict[str, Any] = {
        "@type": "Organization",
        "@id": org_id,
        "name": platform.name,
        "url": platform.website or page_url,
        "contactPoint": [points[c.pk] for c in published if c.kind != ChannelKind.SMS_SENDER],
    }
    if platform.aliases:
        organization["alternateName"] = platform.aliases
    if platform.legal_name:
        organization["legalName"] = platform.legal_name
    if platform.unified_social_credit_code:
        organization["taxID"] = platform.unified_social_credit_code
    service_channels = []
    for channel in published:
        entry: dict[str, Any] = {"@type": "ServiceChannel", "name": points[channel.pk]["contactType"]}
        if channel.is_phone:
            entry["servicePhone"] = points[channel.pk]
        elif channel.kind in (ChannelKind.ONLINE_CHAT, ChannelKind.WEB_TICKET_FORM, ChannelKind.OFFICIAL_APP):
            entry["serviceUrl"] = channel.canonical_value
        if channel.expected_response_time:
            entry["processingTime"] = iso_duration(channel.expected_response_time)
        service_channels.append(entry)
    service = {
        "@type": "Service",
        "name": f"{platform.name} customer support",
        "provider": {"@id": org_id},
        "availableChannel": service_channels,
    }
    return {"@context": "https://schema.org", "@graph": [organization, service]}


def script_tag(data: dict[str, Any]) -> SafeString:
    """A JSON-LD data block; escaped like Django's json_script so it cannot end the script early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 (escaped above)
