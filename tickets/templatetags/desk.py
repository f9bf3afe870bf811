"""Template helpers for staff pages: staff-side labels, search-match highlighting, SLA durations."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
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


@register.filter
def overdue_for(due: datetime | None, now: datetime | None = None) -> str:
    """How long past due, never "0 minutes": under a minute reads "under a minute"."""
    if due is None:
        return ""
    now = now or timezone.now()
    if now - due < timedelta(minutes=1):
        return _("under a minute")
    return timesince(due, now, depth=2)


@register.simple_tag
def callbacks_due(user: Any) -> int:
    """Due or overdue call-backs of the agent's teams, for the navigation badge (cached briefly)."""
    from tickets.desk.workspace import callbacks_due_count

    return callbacks_due_count(user) if getattr(user, "is_agent", False) else 0
