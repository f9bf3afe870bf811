"""Service hours: is a channel open now, when does it open next, and how to say its hours.

Pure functions over a ``Schedule``, everything in Asia/Shanghai; holidays come from helpdesk.calendar.
A weekly window whose end is not after its start runs past midnight (Fri 22:00-02:00 ends Saturday
02:00); 00:00-00:00 is the whole day. With the calendar holiday rule a channel is closed on mainland public
holidays and open on make-up working days (调休), on which it keeps the hours of an ordinary working day.
7×24 channels never close.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk import calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALWAYS, WEEKLY, NONE = "always", "weekly", "none"
CALENDAR, IGNORE = "calendar", "ignore"
_LOOKAHEAD_DAYS = 40  # longer than any run of mainland public holidays


@dataclass(frozen=True)
class Window:
    weekday: int  # Monday = 0
    start: time
    end: time

    @property
    def overnight(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class Schedule:
    mode: str = NONE
    windows: tuple[Window, ...] = field(default_factory=tuple)
    holiday_rule: str = CALENDAR
    valid_from: date | None = None
    valid_until: date | None = None

    @property
    def has_hours(self) -> bool:
        return self.mode != NONE


def day_kind(day: date) -> str:
    """ "holiday" (public holiday), "makeup" (make-up working day), or "normal".

    The project's one mainland calendar (operators' corrections first, then chinese-calendar), shared with
    the SLA clocks; its corrections are cached in-process and re-read at most once a minute.
    """
    return calendar.day_kind(day)


def _valid_on(schedule: Schedule, day: date) -> bool:
    return (schedule.valid_from is None or day >= schedule.valid_from) and (
        schedule.valid_until is None or day <= schedule.valid_until
    )


def windows_on(schedule: Schedule, day: date) -> list[Window]:
    """The windows that start on ``day``, after holidays and make-up days."""
    if schedule.mode != WEEKLY or not _valid_on(schedule, day):
        return []
    weekday = day.weekday()
    if schedule.holiday_rule == CALENDAR:
        kind = day_kind(day)
        if kind == "holiday":
            return []
        if kind == "makeup" and not any(w.weekday == weekday for w in schedule.windows):
            for working_day in range(5):
                same = [w for w in schedule.windows if w.weekday == working_day]
                if same:
                    return [Window(weekday, w.start, w.end) for w in same]
            return []
    return [w for w in schedule.windows if w.weekday == weekday]


def _spans(schedule: Schedule, day: date) -> Iterable[tuple[datetime, datetime]]:
    for window in windows_on(schedule, day):
        start = datetime.combine(day, window.start, SHANGHAI)
        end_day = day + timedelta(days=1) if window.overnight else day
        yield start, datetime.combine(end_day, window.end, SHANGHAI)


def open_now(schedule: Schedule, at: datetime) -> bool | None:
    """True/False for channels with hours; None for written channels (email) that have none."""
    local = at.astimezone(SHANGHAI)
    if schedule.mode == NONE:
        return None
    if schedule.mode == ALWAYS:
        return _valid_on(schedule, local.date())
    for day in (local.date() - timedelta(days=1), local.date()):
        if any(start <= local < end for start, end in _spans(schedule, day)):
            return True
    return False


def next_open_at(schedule: Schedule, at: datetime) -> datetime | None:
    """``at`` itself when open; the next opening otherwise; None if it never opens again (or has no hours)."""
    state = open_now(schedule, at)
    if state is None:
        return None
    if state:
        return at.astimezone(SHANGHAI)
    local = at.astimezone(SHANGHAI)
    if schedule.mode == ALWAYS:
        if schedule.valid_from is not None and local.date() < schedule.valid_from:
            return datetime.combine(schedule.valid_from, time(0), SHANGHAI)
        return None
    for offset in range(_LOOKAHEAD_DAYS):
        day = local.date() + timedelta(days=offset)
        starts = sorted(start for start, _end in _spans(schedule, day) if start > local)
        if starts:
            return starts[0]
    return None


def closes_at(schedule: Schedule, at: datetime) -> datetime | None:
    local = at.astimezone(SHANGHAI)
    if schedule.mode != WEEKLY:
        return None
    for day in (local.date() - timedelta(days=1), local.date()):
        for start, end in _spans(schedule, day):
            if start <= local < end:
                return end
    return None


# --- Reading and writing hours as text -------------------------------------------------------------------
_WEEKDAY_TOKENS = {
    **{name: i for i, name in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])},
    **{name: i for i, name in enumerate(["周一", "周二", "周三", "周四", "周五", "周六", "周日"])},
    **{
        name: i
        for i, name in enumerate(["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"])
    },
    "周天": 6,
    "星期天": 6,
    **{str(i + 1): i for i in range(7)},
}
_LINE = re.compile(
    r"^(?P<days>[^\s\d:][^\s]*|\d(?:\s*[-~至到]\s*\d)?)\s+(?P<start>\d{1,2}:\d{2})\s*[-~至到–]\s*(?P<end>\d{1,2}:\d{2})$"
)
HOURS_HELP = gettext_lazy(
    "One line per rule, e.g. “Mon-Fri 09:00-18:00” or “周六 10:00-16:00”; overnight: “Fri 22:00-02:00”."
)


def _parse_time(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time(0)
    return time(hours, minutes)


def _parse_days(text: str) -> list[int]:
    text = text.strip().lower()
    for separator in ("-", "~", "至", "到", "–"):
        if separator in text:
            first, last = (part.strip() for part in text.split(separator, 1))
            a, b = _WEEKDAY_TOKENS[first], _WEEKDAY_TOKENS[last]
            return list(range(a, b + 1)) if a <= b else [*range(a, 7), *range(b + 1)]
    return [_WEEKDAY_TOKENS[text]]


def parse_windows(text: str) -> list[Window]:
    """``"Mon-Fri 09:00-18:00\\nSat 10:00-16:00"`` → windows; ValidationError naming the bad line."""
    windows: list[Window] = []
    for raw_line in re.split(r"[\n;；]+", text or ""):
        line = raw_line.strip()
        if not line:
            continue
        match = _LINE.match(line)
        try:
            if match is None:
                raise ValueError(line)
            days = _parse_days(match["days"])
            start, end = _parse_time(match["start"]), _parse_time(match["end"])
        except (KeyError, ValueError):
            raise ValidationError(
                _("Cannot read “%(line)s”. Write it like “Mon-Fri 09:00-18:00”.") % {"line": line},
                code="invalid_hours",
            ) from None
        windows.extend(Window(day, start, end) for day in days)
    return sorted(set(windows), key=lambda w: (w.weekday, w.start))


def weekday_names() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def describe(schedule: Schedule) -> list[str]:
    """Human lines like "Mon-Fri 09:00-18:00", grouping consecutive days with identical windows."""
    if schedule.mode == ALWAYS:
        return [_("Open 7×24")]
    if schedule.mode == NONE:
        return []
    names = weekday_names()
    by_day: list[tuple[tuple[time, time], ...]] = [
        tuple(sorted((w.start, w.end) for w in schedule.windows if w.weekday == day)) for day in range(7)
    ]
    lines: list[str] = []
    day = 0
    while day < 7:
        spans = by_day[day]
        last = day
        while last + 1 < 7 and by_day[last + 1] == spans:
            last += 1
        if spans:
            days = names[day] if last == day else f"{names[day]}-{names[last]}"
            times = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in spans)
            lines.append(f"{days} {times}")
        day = last + 1
    if schedule.holiday_rule == CALENDAR and lines:
        lines.append(_("Closed on public holidays, open on make-up working days"))
    return lines


def windows_text(windows: Sequence[Window]) -> str:
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return "\n".join(f"{names[w.weekday]} {w.start:%H:%M}-{w.end:%H:%M}" for w in windows)
