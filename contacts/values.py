"""The published form of a channel as one JSON-ready dict: what a proposal carries and an approval binds.

``draft_values`` validates and canonicalises what an admin typed (web form or API); ``channel_values``
reads the same shape back from a channel; ``fingerprint`` hashes it, so an approval covers exactly the
values that were reviewed. Pure apart from looking up problem types.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from contacts import hours
from contacts.canonical import canonical_value
from contacts.models import OUTBOUND_KINDS, ChannelKind, ContactChannel, HolidayRule, HoursMode, ProblemType

LANGUAGES = {"zh": "中文", "en": "English", "yue": "粤语"}
VALUE_FIELDS = [
    "kind",
    "value",
    "canonical_value",
    "label",
    "languages",
    "expected_response_minutes",
    "problem_types",
    "inbound_only",
    "offers_callback",
    "notes",
    "hours_mode",
    "windows",
    "holiday_rule",
    "valid_from",
    "valid_until",
]


@dataclass
class ChannelDraft:
    """What an admin proposes; ``draft_values`` turns it into canonical values or field errors."""

    kind: str
    value: str
    label: str = ""
    languages: Sequence[str] = ("zh",)
    expected_response_minutes: int | None = None
    problem_types: Sequence[str] = ()  # slugs
    inbound_only: bool = False
    offers_callback: bool = False
    notes: str = ""
    hours_mode: str = HoursMode.NONE
    windows: Sequence[hours.Window] = field(default_factory=tuple)
    holiday_rule: str = HolidayRule.FOLLOW_CALENDAR
    valid_from: date | None = None
    valid_until: date | None = None


def _window_json(window: hours.Window) -> list[Any]:
    return [window.weekday, f"{window.start:%H:%M}", f"{window.end:%H:%M}"]


def draft_values(draft: ChannelDraft) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if draft.kind not in ChannelKind.values:
        errors["kind"] = [_("Choose a channel kind.")]
    canonical = ""
    value = " ".join((draft.value or "").split())
    if not value:
        errors["value"] = [_("Enter the number or address as the platform publishes it.")]
    elif "kind" not in errors:
        try:
            canonical = canonical_value(draft.kind, value)
        except ValidationError as exc:
            errors["value"] = [str(m) for m in exc.messages]
    if draft.hours_mode not in HoursMode.values:
        errors["hours_mode"] = [_("Choose how the hours work.")]
    elif draft.hours_mode == HoursMode.WEEKLY and not draft.windows:
        errors["windows"] = [_("Weekly hours need at least one window, e.g. “Mon-Fri 09:00-18:00”.")]
    if draft.holiday_rule not in HolidayRule.values:
        errors["holiday_rule"] = [_("Choose a holiday rule.")]
    unknown_languages = [code for code in draft.languages if code not in LANGUAGES]
    if unknown_languages:
        errors["languages"] = [_("Unknown language: %(codes)s.") % {"codes": ", ".join(unknown_languages)}]
    if (
        draft.expected_response_minutes is not None
        and not 0 < draft.expected_response_minutes <= 60 * 24 * 30
    ):
        errors["expected_response_minutes"] = [_("Enter a response time between 1 minute and 30 days.")]
    slugs = sorted(set(draft.problem_types))
    known = set(ProblemType.objects.filter(slug__in=slugs, is_active=True).values_list("slug", flat=True))
    if set(slugs) - known:
        errors["problem_types"] = [
            _("Unknown problem type: %(slugs)s.") % {"slugs": ", ".join(sorted(set(slugs) - known))}
        ]
    if draft.valid_from and draft.valid_until and draft.valid_until < draft.valid_from:
        errors["valid_until"] = [_("The end of validity is before its start.")]
    if draft.inbound_only and draft.kind in OUTBOUND_KINDS:
        errors["inbound_only"] = [
            _("A call-back line calls customers: it cannot be marked “never calls you”.")
        ]
    elif draft.inbound_only and draft.kind not in hours_kinds_with_calls():
        errors["inbound_only"] = [_("Only phone numbers can be marked “never calls you”.")]
    if errors:
        raise ValidationError(errors)
    windows = draft.windows if draft.hours_mode == HoursMode.WEEKLY else ()
    return {
        "kind": draft.kind,
        "value": value,
        "canonical_value": canonical,
        "label": draft.label.strip(),
        "languages": sorted(set(draft.languages)),
        "expected_response_minutes": draft.expected_response_minutes,
        "problem_types": slugs,
        "inbound_only": bool(draft.inbound_only),
        "offers_callback": bool(draft.offers_callback),
        "notes": draft.notes.strip(),
        "hours_mode": draft.hours_mode,
        "windows": [_window_json(w) for w in sorted(set(windows), key=lambda w: (w.weekday, w.start))],
        "holiday_rule": draft.holiday_rule if draft.hours_mode == HoursMode.WEEKLY else HolidayRule.IGNORE,
        "valid_from": draft.valid_from.isoformat() if draft.valid_from else None,
        "valid_until": draft.valid_until.isoformat() if draft.valid_until else None,
    }


def hours_kinds_with_calls() -> frozenset[str]:
    return frozenset(
        {
            ChannelKind.CLAIMS_HOTLINE,
            ChannelKind.EMERGENCY_LINE,
            ChannelKind.CUSTOMER_SERVICE_HOTLINE,
            ChannelKind.MEMBER_SERVICE,
            ChannelKind.SMS_SENDER,
        }
    )


def channel_values(channel: ContactChannel) -> dict[str, Any]:
    """The channel's current values in proposal form (uses prefetched windows and problem types)."""
    minutes = (
        int(channel.expected_response_time.total_seconds() // 60)
        if channel.expected_response_time is not None
        else None
    )
    return {
        "kind": channel.kind,
        "value": channel.value,
        "canonical_value": channel.canonical_value,
        "label": channel.label,
        "languages": sorted(channel.languages or []),
        "expected_response_minutes": minutes,
        "problem_types": sorted(pt.slug for pt in channel.problem_types.all()),
        "inbound_only": channel.inbound_only,
        "offers_callback": channel.offers_callback,
        "notes": channel.notes,
        "hours_mode": channel.hours_mode,
        "windows": [
            [w.weekday, f"{w.start:%H:%M}", f"{w.end:%H:%M}"]
            for w in sorted(channel.windows.all(), key=lambda w: (w.weekday, w.start))
        ],
        "holiday_rule": channel.holiday_rule,
        "valid_from": channel.valid_from.isoformat() if channel.valid_from else None,
        "valid_until": channel.valid_until.isoformat() if channel.valid_until else None,
    }


def fingerprint(values: dict[str, Any]) -> str:
    encoded = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def windows_from_values(values: dict[str, Any]) -> list[hours.Window]:
    return [
        hours.Window(int(day), time.fromisoformat(start), time.fromisoformat(end))
        for day, start, end in values.get("windows", [])
    ]


def response_time(values: dict[str, Any]) -> timedelta | None:
    minutes = values.get("expected_response_minutes")
    return timedelta(minutes=minutes) if minutes else None


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Fields that differ, in a stable order: (field, old, new). ``before`` None means a new channel."""
    return [
        (name, None if before is None else before.get(name), after.get(name))
        for name in VALUE_FIELDS
        if before is None or before.get(name) != after.get(name)
    ]
