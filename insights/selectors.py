"""Reads for the supervisor analytics: the roll-up rows of a range, as days with figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from insights.models import DailyRollup, Grain

RANGES = (7, 30, 90)


@dataclass(frozen=True)
class Cut:
    grain: str
    platform_id: int | None = None
    team_id: int | None = None
    problem_type_id: int | None = None


def cut_for(*, platform: int | None, team: int | None, problem_type: int | None) -> Cut:
    """One filter at a time (each cut is stored; medians cannot be combined): platform, team or type."""
    if platform:
        return Cut(Grain.PLATFORM, platform_id=platform)
    if team:
        return Cut(Grain.TEAM, team_id=team)
    if problem_type:
        return Cut(Grain.PROBLEM_TYPE, problem_type_id=problem_type)
    return Cut(Grain.ALL)


def daily_rows(*, cut: Cut, days: int, today: date | None = None) -> list[tuple[date, DailyRollup | None]]:
    """Every day of the range, oldest first, with its row (``None``: nothing that day). One query."""
    today = today or timezone.localdate()
    start = today - timedelta(days=days - 1)
    rows = DailyRollup.objects.filter(
        grain=cut.grain,
        day__gte=start,
        day__lte=today,
        platform_id=cut.platform_id,
        team_id=cut.team_id,
        problem_type_id=cut.problem_type_id,
    )
    by_day = {row.day: row for row in rows}
    return [(start + timedelta(days=i), by_day.get(start + timedelta(days=i))) for i in range(days)]
