"""Template helpers for staff pages: staff-side labels, search-match highlighting, SLA durations."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import avoid_wrapping, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import MONTHS_DAYS, TIME_CHUNKS, TIME_STRINGS, TIME_STRINGS_KEYS
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tickets.desk.labels import staff_event_label, staff_status_label

register = template.Library()


@register.filter
def staff_status(claim_or_status: Any) -> str:
    status = getattr(claim_or_status, "status", claim_or_status)
    return staff_status_label(str(status))


@register.filter
def staff_event(event: Any) -> str:
    return staff_event_label(str(getattr(event, "kind", event)))


@register.filter
def highlight(text: Any, needle: str) -> SafeString:
    """Escapes ``text`` and wraps each case-insensitive match of the search in ``<mark>``."""
    value = str(text or "")
    words = [w for w in (needle or "").split() if len(w) >= 2][:5]
    if not words:
        return SafeString(escape(value))
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(value):
        out.append(escape(value[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(value[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of the input is escaped above


@lru_cache(maxsize=4096)
def _unit_words(language: str | None, unit: str, count: int) -> str:
    return avoid_wrapping(TIME_STRINGS[unit] % {"num": count})


@lru_cache(maxsize=16)
def _unit_separator(language: str | None) -> str:
    return _(", ")


# Shorter than any calendar month, even one with a daylight-saving jump in it: below this, "months" cannot
# appear and the words depend on the number of whole minutes alone.
SHORT_SPAN = timedelta(days=27)


@lru_cache(maxsize=8192)
def _short_span(language: str | None, minutes: int, depth: int) -> str:
    """``elapsed`` for a span under SHORT_SPAN, from its whole minutes (every unit is whole minutes)."""
    return _span_words(
        language, [0, 0, minutes // 10080, minutes // 1440 % 7, minutes // 60 % 24, minutes % 60], depth
    )


def _span_words(language: str | None, partials: list[int], depth: int) -> str:
    """timesince's words for (years, months, weeks, days, hours, minutes): the first ``depth`` units from the
    largest non-zero one, stopping at a zero; "0 minutes" when all are zero."""
    first = next((i for i, value in enumerate(partials) if value), None)
    if first is None:
        return _unit_words(language, "minute", 0)
    pieces = []
    for i in range(first, min(first + depth, len(partials))):
        if not partials[i]:
            break
        pieces.append(_unit_words(language, TIME_STRINGS_KEYS[i], partials[i]))
    return _unit_separator(language).join(pieces)


def elapsed(since: datetime, until: datetime, depth: int = 2, language: str | None = None) -> str:
    """``django.utils.timesince.timesince(since, until, depth=depth)``: the same words, formatted cheaply.

    A queue page formats two durations per row, and the formatting was the cost (a plural-forms lookup and a
    translation per unit), not the arithmetic. A span under SHORT_SPAN is memoised by its whole minutes;
    a longer one goes through timesince's own arithmetic (calendar months, then weeks, days, hours and
    minutes) with each "<n> <unit>" piece translated once per language and count
    (tests/tickets/test_queue_speed.py compares the two on random spans in both languages). ``language``
    saves a list page the lookup of the active language per call.
    """
    language = language or get_language()
    span = until - since
    if timedelta(0) < span < SHORT_SPAN:
        return _short_span(language, int(span.total_seconds() // 60), depth)
    if timezone.is_aware(until) and timezone.is_aware(since):
        until = until.astimezone(since.tzinfo)
    delta = until - since
    if delta.days * 86400 + delta.seconds <= 0:
        return _unit_words(language, "minute", 0)
    total_months = (until.year - since.year) * 12 + (until.month - since.month)
    if since.day > until.day or (since.day == until.day and since.time() > until.time()):
        total_months -= 1
    years, months = divmod(total_months, 12)
    pivot = since
    if years or months:
        pivot_year, pivot_month = since.year + years, since.month + months
        if pivot_month > 12:
            pivot_month -= 12
            pivot_year += 1
        pivot = datetime(
            pivot_year,
            pivot_month,
            min(MONTHS_DAYS[pivot_month - 1], since.day),
            since.hour,
            since.minute,
            since.second,
            tzinfo=since.tzinfo,
        )
    remaining = (until - pivot).total_seconds()
    partials = [years, months]
    for chunk in TIME_CHUNKS:
        count = int(remaining // chunk)
        partials.append(count)
        remaining -= chunk * count
    return _span_words(language, partials, depth)


@register.filter
def overdue_for(due: datetime | None, now: datetime | None = None, language: str | None = None) -> str:
    """How long past due, never "0 minutes": under a minute reads "under a minute"."""
    if due is None:
        return ""
    now = now or timezone.now()
    if now - due < timedelta(minutes=1):
        return _("under a minute")
    return elapsed(due, now, language=language)


@register.filter
def left_until(due: datetime | None, now: datetime | None = None, language: str | None = None) -> str:
    """Django's ``timeuntil`` filter (the same words), through the memoised ``elapsed``."""
    if not due:
        return ""
    try:
        now = now or timezone.now()
        if timezone.is_aware(now) and timezone.is_aware(due):
            now = now.astimezone(due.tzinfo)  # as timeuntil does: the due time's zone decides the months
        return elapsed(now, due, language=language)
    except (ValueError, TypeError):
        return ""


@register.simple_tag
def callbacks_due(user: Any) -> int:
    """Due or overdue call-backs of the agent's teams, for the navigation badge (cached briefly)."""
    from tickets.desk.workspace import callbacks_due_count

    return callbacks_due_count(user) if getattr(user, "is_agent", False) else 0
