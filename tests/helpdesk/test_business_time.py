"""Business time for SLAs: nights, weekends, mainland holidays and make-up days; operator corrections."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk import calendar
from helpdesk.business_time import ALWAYS, OFFICE_HOURS, BusinessCalendar
from helpdesk.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.reset()
    yield
    calendar.reset()


pytestmark = pytest.mark.django_db


def test_seven_by_twenty_four_is_plain_time():
    assert ALWAYS.add(at("2026-10-01 23:50"), timedelta(minutes=15)) == at("2026-10-02 00:05")


def test_office_hours_continue_the_next_working_morning():
    # Tuesday 17:30 + 1 working hour → Wednesday 09:30
    assert OFFICE_HOURS.add(at("2026-11-24 17:30"), timedelta(hours=1)) == at("2026-11-25 09:30")


def test_a_start_at_night_counts_from_the_morning():
    assert OFFICE_HOURS.add(at("2026-11-24 02:00"), timedelta(minutes=15)) == at("2026-11-24 09:15")


def test_weekends_are_skipped():
    # Friday 2026-11-27 17:00 + 2h → Monday 2026-11-30 10:00
    assert OFFICE_HOURS.add(at("2026-11-27 17:00"), timedelta(hours=2)) == at("2026-11-30 10:00")


def test_national_day_holidays_are_skipped_and_the_make_up_saturday_is_worked():
    # 2026: 1-7 October off; Saturday 10 October is a make-up working day (调休).
    assert calendar.day_kind(date(2026, 10, 1)) == calendar.HOLIDAY
    assert calendar.day_kind(date(2026, 10, 10)) == calendar.MAKEUP
    # Wednesday 30 September 17:00 + 2h → Thursday 8 October 10:00 (1-7 October closed)
    assert OFFICE_HOURS.add(at("2026-09-30 17:00"), timedelta(hours=2)) == at("2026-10-08 10:00")
    # Friday 9 October 17:00 + 2h → the make-up Saturday 10 October 10:00
    assert OFFICE_HOURS.add(at("2026-10-09 17:00"), timedelta(hours=2)) == at("2026-10-10 10:00")


def test_an_operator_correction_wins_over_the_package_and_covers_unknown_years():
    # The package does not know 2027 yet; an operator enters New Year's Day.
    assert not calendar.known_to_package(date(2027, 1, 1))
    assert calendar.day_kind(date(2027, 1, 1)) == calendar.NORMAL
    CalendarDay.objects.create(day=date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    assert calendar.day_kind(date(2027, 1, 1)) == calendar.HOLIDAY
    # Thursday 31 December 2026 17:00 + 2h → Monday 4 January 2027 10:00
    assert OFFICE_HOURS.add(at("2026-12-31 17:00"), timedelta(hours=2)) == at("2027-01-04 10:00")


def test_elapsed_counts_only_working_time():
    assert OFFICE_HOURS.elapsed(at("2026-11-27 17:00"), at("2026-11-30 10:00")) == timedelta(hours=2)
    assert OFFICE_HOURS.elapsed(at("2026-11-30 10:00"), at("2026-11-27 17:00")) == timedelta(0)
    assert ALWAYS.elapsed(at("2026-11-27 17:00"), at("2026-11-28 17:00")) == timedelta(days=1)


def test_a_working_day_must_end_after_it_starts():
    with pytest.raises(ValueError):
        BusinessCalendar(always=False, day_start=time(18), day_end=time(9))


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20)).map(
    lambda d: d.replace(tzinfo=SH)
)


@settings(max_examples=60, deadline=None)
@given(start=moments, minutes=st.integers(min_value=0, max_value=60 * 40))
def test_adding_then_measuring_gives_back_the_duration(start, minutes):
    duration = timedelta(minutes=minutes)
    end = OFFICE_HOURS.add(start, duration)
    assert OFFICE_HOURS.elapsed(start, end) == duration
    assert end >= start


@pytest.mark.django_db
def test_the_corrections_are_read_once_until_reset(django_assert_num_queries):
    calendar.reset()
    with django_assert_num_queries(1):
        calendar.day_kind(date(2030, 1, 2))
        calendar.day_kind(date(2030, 1, 3))
    CalendarDay.objects.create(day=date(2030, 1, 5), kind=calendar.MAKEUP)  # the receiver resets the cache
    assert calendar.day_kind(date(2030, 1, 5)) == calendar.MAKEUP
