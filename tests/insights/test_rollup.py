"""The daily roll-up: figures per day and cut, idempotent, the same on PostgreSQL (one INSERT … SELECT) and
in the portable path (SQLite)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from insights import rollup
from insights.models import DailyRollup, Grain
from tests.factories import ClaimFactory, TeamFactory
from tests.support.insights import at, handled_claim
from tickets.models import Callback

pytestmark = pytest.mark.django_db

FIGURES = [
    "filed", "resolved", "backlog", "first_responses", "median_first_response_s", "median_resolution_s",
    "sla_first_total", "sla_first_met", "sla_resolution_total", "sla_resolution_met", "rated", "rating_sum",
    "low_ratings", "callbacks_done", "callbacks_unreached",
]  # fmt: skip


@pytest.fixture
def day():
    return timezone.localdate() - timedelta(days=1)


@pytest.fixture
def claims(platform, day):
    team = TeamFactory(slug="rollup-team")
    handled_claim(platform, day, rating=5, team=team)  # first response 1 h, met
    handled_claim(platform, day, rating=1, first_after=timedelta(hours=3), team=team)  # 3 h, missed
    late = handled_claim(platform, day, rating=None, first_after=timedelta(hours=2))  # 2 h, met (on time)
    late.resolved_at = at(day, 21)  # 12 h: past the 10 h resolution due time
    late.save()
    ClaimFactory(platform=platform, created_at=at(day, 10), status="open")  # still open: backlog
    ClaimFactory(
        platform=platform, created_at=at(day - timedelta(days=1), 10), status="open"
    )  # older backlog
    ClaimFactory(platform=platform, created_at=at(day + timedelta(days=1), 1), status="open")  # the next day
    callback = Callback.objects.create(
        claim=late, phone="+8613800138000", reason="customer", due_at=at(day, 12), code="1234", status="done"
    )
    Callback.objects.filter(pk=callback.pk).update(closed_at=at(day, 11))
    return team


def rows(day) -> dict:
    return {
        (r.grain, r.platform_id, r.team_id, r.problem_type_id, r.assignee_id): {
            f: getattr(r, f) for f in FIGURES
        }
        for r in DailyRollup.objects.filter(day=day)
    }


def test_a_day_has_the_expected_figures(claims, day, platform):
    rollup.rollup_day(day)
    row = DailyRollup.objects.get(day=day, grain=Grain.ALL)
    assert (row.filed, row.resolved, row.backlog) == (4, 3, 2)
    assert row.first_responses == 3 and row.median_first_response_s == pytest.approx(7200)
    assert row.median_resolution_s == pytest.approx(8 * 3600)
    assert (row.sla_first_met, row.sla_first_total) == (2, 3)
    assert (row.sla_resolution_met, row.sla_resolution_total) == (2, 3)
    assert (row.rated, row.rating_sum, row.low_ratings) == (2, 6, 1)
    assert (row.callbacks_done, row.callbacks_unreached) == (1, 0)
    assert row.deflected is None
    team_row = DailyRollup.objects.get(day=day, grain=Grain.TEAM, team_id=claims.pk)
    assert (team_row.filed, team_row.rated) == (2, 2)
    assert DailyRollup.objects.get(day=day, grain=Grain.PLATFORM, platform_id=platform.pk).filed == 4
    assert DailyRollup.objects.filter(day=day, grain=Grain.PLATFORM_PROBLEM, platform_id=platform.pk).exists()


def test_running_a_day_twice_changes_nothing(claims, day):
    rollup.rollup_day(day)
    first = rows(day)
    rollup.rollup_day(day)
    assert rows(day) == first
    assert DailyRollup.objects.filter(day=day, grain=Grain.ALL).count() == 1


def test_postgresql_and_the_portable_path_agree(postgres, claims, day):
    assert connection.vendor == "postgresql"
    rollup.rollup_day(day)
    set_based = rows(day)
    with mock.patch.object(connection, "vendor", "sqlite"):
        rollup.rollup_day(day)
    portable = rows(day)
    assert set_based.keys() == portable.keys()
    for key, figures in set_based.items():
        assert figures == pytest.approx(portable[key]), key


def test_postgresql_fills_a_day_with_one_statement(postgres, claims, day, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # savepoint, advisory lock, delete, insert … select, release
        rollup.rollup_day(day)
    assert DailyRollup.objects.filter(day=day).count() > 4


def test_the_beat_task_rolls_up_today_and_yesterday_and_refreshes_scorecards(claims, day, platform):
    from insights.models import ScorecardSnapshot
    from insights.tasks import rollup as task

    task()
    assert DailyRollup.objects.filter(day=day).exists()
    assert DailyRollup.objects.filter(day=day + timedelta(days=1), grain=Grain.ALL).get().filed == 1
    assert ScorecardSnapshot.objects.filter(platform=platform).exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_of_a_day_do_not_double_it(postgres, platform):
    import threading

    from django.db import connections

    day = timezone.localdate() - timedelta(days=1)
    handled_claim(platform, day)
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            rollup.rollup_day(day)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert DailyRollup.objects.filter(day=day, grain=Grain.ALL).count() == 1
