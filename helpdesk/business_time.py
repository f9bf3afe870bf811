"""Business-time arithmetic for SLA targets: "4 working hours" from a moment, and the working time between
two moments, in Asia/Shanghai, over a working day (09:00-18:00 by default) on mainland working days
(holidays skipped, make-up days worked: see helpdesk.calendar). ``always`` calendars are plain 7×24 time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from helpdesk.calendar import is_working_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
_MAX_DAYS = 400  # a target of weeks of working time still ends within a year


@dataclass(frozen=True)
class BusinessCalendar:
    always: bool = True
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)
    workdays: frozenset[int] = frozenset(range(5))

    def __post_init__(self) -> None:
        if not self.always and self.day_end <= self.day_start:
            raise ValueError("the working day must end after it starts")

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if not is_working_day(day, workdays=self.workdays):
            return None
        return (
            datetime.combine(day, self.day_start, SHANGHAI),
            datetime.combine(day, self.day_end, SHANGHAI),
        )

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of working time after ``start``."""
        if duration < timedelta(0):
            raise ValueError("duration must not be negative")
        if self.always:
            return start + duration
        local = start.astimezone(SHANGHAI)
        remaining = duration
        day = local.date()
        for _ in range(_MAX_DAYS):
            window = self._window(day)
            if window is not None:
                begin = max(window[0], local)
                if begin < window[1]:
                    available = window[1] - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("duration too long for the business calendar")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two moments (zero if ``end`` is not after ``start``)."""
        if end <= start:
            return timedelta(0)
        if self.always:
            return end - start
        first = start.astimezone(SHANGHAI)
        last = end.astimezone(SHANGHAI)
        total = timedelta(0)
        day = first.date()
        while day <= last.date():
            window = self._window(day)
            if window is not None:
                begin, finish = max(window[0], first), min(window[1], last)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total

    def is_open(self, at: datetime) -> bool:
        if self.always:
            return True
        local = at.astimezone(SHANGHAI)
        window = self._window(local.date())
        return window is not None and window[0] <= local < window[1]


ALWAYS = BusinessCalendar(always=True)
OFFICE_HOURS = BusinessCalendar(always=False)
