"""Mainland China working days: public holidays and make-up working days (调休), in one place.

``day_kind`` answers from the operators' corrections (``CalendarDay`` rows) first, then the
``chinese-calendar`` package, then the plain week (a year the package does not know yet: Monday to Friday).
Directory hours and SLA business calendars both ask here.
"""

from __future__ import annotations

import threading
import time as _time
from datetime import date

import chinese_calendar

HOLIDAY, MAKEUP, NORMAL = "holiday", "makeup", "normal"
_REFRESH_SECONDS = 60.0

_lock = threading.Lock()
_overrides: dict[date, str] | None = None
_loaded_at = 0.0


def _load_overrides() -> dict[date, str]:
    global _overrides, _loaded_at
    now = _time.monotonic()
    with _lock:
        if _overrides is None or now - _loaded_at > _REFRESH_SECONDS:
            from helpdesk.models import CalendarDay

            _overrides = dict(CalendarDay.objects.values_list("day", "kind"))
            _loaded_at = now
        return _overrides


def reset() -> None:
    """Forget the cached corrections (called when one is saved, and by tests)."""
    global _overrides
    with _lock:
        _overrides = None


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
