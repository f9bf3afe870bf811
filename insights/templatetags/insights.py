"""Template tags the other apps' templates call, so that contacts never imports insights: the platform page
renders ``{% load insights %}{% scorecard_headline platform %}``."""

from __future__ import annotations

from typing import Any

from django import template

from insights.scorecards import headline_for

register = template.Library()


@register.inclusion_tag("insights/_scorecard_headline.html")
def scorecard_headline(platform: Any) -> dict[str, Any]:
    return {"card": headline_for(platform)}


@register.filter
def period_human(value: Any) -> str:
    """A retention period in words: "3 years", "7 days", "24 hours" (in the page's language)."""
    from django.utils.translation import ngettext

    seconds = int(value.total_seconds()) if value is not None else 0
    days, rest = divmod(seconds, 86400)
    if days and not rest and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    if days and not rest:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours = max(seconds // 3600, 1)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
