"""Mainland China working days: public holidays and make-up working days (调休), in one place.

``day_kind`` answers from the operators' corrections (``CalendarDay`` rows) first, then the
``chinese-calendar`` package, then the plain week (a year the package does not know yet: Monday to Friday).
Directory hours and SLA business calendars both ask here.
"""

from __future__ import annotations

import threading
from datetime import date

import chinese_calendar
from cachetools import TTLCache, cached

HOLIDAY, MAKEUP, NORMAL = "holiday", "makeup", "normal"

# The operators' corrections, read once a minute per process: a correction saved here resets it at once
# (helpdesk.receivers); other processes see it within the minute.
_overrides: TTLCache[str, dict[date, str]] = TTLCache(maxsize=1, ttl=60)
_lock = threading.Lock()


@cached(_overrides, key=lambda: "overrides", lock=_lock)
def _load_overrides() -> dict[date, str]:
    from helpdesk.models import CalendarDay

    return dict(CalendarDay.objects.values_list("day", "kind"))


def reset() -> None:
    """Forget the cached corrections (called when one is saved, and by tests)."""
    with _lock:
        _overrides.clear()


def known_to_package(day: date) -> bool:
    try:
        chinese_calendar.is_holiday(day)
    except NotImplementedError:
        return False
    return True


def day_kind(day: date) -> str:
    """ "holiday" (public holiday), "makeup" (a weekend day worked in exchange), or "normal"."""
    override = _load_overrides().get(day)
    if override is not None:
        return override
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return NORMAL
    if on_holiday and name is not None:
        return HOLIDAY
    if not on_holiday and day.weekday() >= 5:
        return MAKEUP
    return NORMAL


def is_working_day(day: date, *, workdays: frozenset[int] = frozenset(range(5))) -> bool:
    kind = day_kind(day)
    if kind == HOLIDAY:
        return False
    if kind == MAKEUP:
        return True
    return day.weekday() in workdays
