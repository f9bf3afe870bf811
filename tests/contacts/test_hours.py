from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from contacts import hours
from contacts.hours import SHANGHAI, Schedule, Window

# The mainland calendar reads operators' corrections from the database (helpdesk.calendar).
pytestmark = pytest.mark.django_db


def at(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


OFFICE = Schedule(
    mode=hours.WEEKLY,
    windows=tuple(Window(d, time(9), time(18)) for d in range(5)),
    holiday_rule=hours.CALENDAR,
)
NIGHT = Schedule(mode=hours.WEEKLY, windows=(Window(4, time(22), time(2)),), holiday_rule=hours.IGNORE)


def test_office_hours_are_open_inside_and_closed_outside():
    assert hours.open_now(OFFICE, at(2026, 12, 7, 10)) is True  # Monday
    assert hours.open_now(OFFICE, at(2026, 12, 7, 18)) is False  # closing time itself is closed
    assert hours.open_now(OFFICE, at(2026, 12, 5, 10)) is False  # Saturday
    assert hours.next_open_at(OFFICE, at(2026, 12, 5, 10)) == at(2026, 12, 7, 9)


def test_an_overnight_window_runs_into_the_next_day():
    assert hours.open_now(NIGHT, at(2026, 12, 4, 23)) is True  # Friday night
    assert hours.open_now(NIGHT, at(2026, 12, 5, 1, 59)) is True  # Saturday early morning
    assert hours.open_now(NIGHT, at(2026, 12, 5, 2)) is False
    assert hours.open_now(NIGHT, at(2026, 12, 4, 21)) is False
    assert hours.next_open_at(NIGHT, at(2026, 12, 5, 3)) == at(2026, 12, 11, 22)
    assert hours.closes_at(NIGHT, at(2026, 12, 4, 23)) == at(2026, 12, 5, 2)


def test_it_works_with_utc_input():
    from datetime import UTC

    assert hours.open_now(OFFICE, datetime(2026, 12, 7, 2, tzinfo=UTC)) is True  # 10:00 in Shanghai


def test_public_holidays_close_calendar_channels_but_not_others():
    national_day = at(2026, 10, 1, 10)  # Thursday, a public holiday
    assert hours.day_kind(national_day.date()) == "holiday"
    assert hours.open_now(OFFICE, national_day) is False
    ignoring = Schedule(mode=hours.WEEKLY, windows=OFFICE.windows, holiday_rule=hours.IGNORE)
    assert hours.open_now(ignoring, national_day) is True
    assert hours.next_open_at(OFFICE, national_day) == at(2026, 10, 8, 9)  # first working day after the break


def test_make_up_working_days_open_with_working_day_hours():
    makeup_saturday = at(2026, 10, 10, 10)
    assert hours.day_kind(makeup_saturday.date()) == "makeup"
    assert hours.open_now(OFFICE, makeup_saturday) is True
    assert hours.open_now(OFFICE, at(2026, 10, 10, 19)) is False
    assert hours.open_now(OFFICE, at(2026, 10, 17, 10)) is False  # an ordinary Saturday


def test_7x24_is_always_open_and_written_channels_have_no_hours():
    always = Schedule(mode=hours.ALWAYS)
    assert hours.open_now(always, at(2026, 10, 1, 3)) is True
    assert hours.open_now(Schedule(mode=hours.NONE), at(2026, 10, 1, 3)) is None
    assert hours.next_open_at(Schedule(mode=hours.NONE), at(2026, 10, 1, 3)) is None


def test_validity_dates_limit_the_schedule():
    later = Schedule(mode=hours.ALWAYS, valid_from=date(2027, 1, 1))
    assert hours.open_now(later, at(2026, 12, 31, 12)) is False
    assert hours.next_open_at(later, at(2026, 12, 31, 12)) == at(2027, 1, 1, 0)
    ended = Schedule(mode=hours.WEEKLY, windows=OFFICE.windows, valid_until=date(2026, 12, 1))
    assert hours.open_now(ended, at(2026, 12, 7, 10)) is False
    assert hours.next_open_at(ended, at(2026, 12, 7, 10)) is None


def test_years_outside_the_calendar_are_ordinary_days():
    assert hours.day_kind(date(2099, 1, 1)) == "normal"
    assert hours.open_now(OFFICE, at(2099, 1, 1, 10)) is True  # a Thursday


def test_parse_and_describe_hours():
    windows = hours.parse_windows("Mon-Fri 09:00-18:00\n周六 10:00-16:00; Sun 22:00-02:00")
    assert Window(0, time(9), time(18)) in windows and Window(5, time(10), time(16)) in windows
    assert Window(6, time(22), time(2)) in windows
    assert len(windows) == 7
    schedule = Schedule(mode=hours.WEEKLY, windows=tuple(windows), holiday_rule=hours.IGNORE)
    with translation.override("en"):
        assert hours.describe(schedule)[:2] == ["Mon-Fri 09:00-18:00", "Sat 10:00-16:00"]
    assert hours.parse_windows("1-7 08:00-22:00") == [Window(d, time(8), time(22)) for d in range(7)]


@pytest.mark.parametrize("text", ["Mon 9-18", "Funday 09:00-18:00", "Mon 25:00-26:00"])
def test_unreadable_hours_name_the_line(text):
    with pytest.raises(ValidationError) as exc:
        hours.parse_windows(text)
    assert text.split()[0] in exc.value.messages[0]


def test_operator_corrections_to_the_calendar_apply(db):
    from helpdesk import calendar
    from helpdesk.models import CalendarDay

    CalendarDay.objects.create(day=date(2026, 12, 7), kind="holiday", name="test")
    calendar.reset()
    try:
        assert hours.open_now(OFFICE, at(2026, 12, 7, 10)) is False
    finally:
        CalendarDay.objects.filter(day=date(2026, 12, 7)).delete()
        calendar.reset()
