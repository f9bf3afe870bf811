"""The daily roll-up: one row per day and cut (all claims, each platform, team, problem type, assignee, and
platform × problem type), so a report over 90 days reads a few hundred rows whatever the number of claims.

A day is computed set-based and replaced as a whole (delete + insert in one transaction: idempotent):
- PostgreSQL: one ``INSERT … SELECT … GROUP BY GROUPING SETS`` per day, medians by ``percentile_cont``;
- SQLite (``make run``): one query for the day's claims and one for its call-backs, aggregated in Python.
What a day counts: claims filed that day; resolved that day; open at the end of it (backlog); first
responses given that day (median time from filing, SLA met = by its due time); resolutions that day
(median, SLA met); ratings of claims resolved (or closed) that day; call-backs finished that day.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from insights.models import DailyRollup, Grain
from tickets.models import Callback, Claim

LOW_RATING = 2
ROLLUP_LOCK = 0x1853  # advisory-lock namespace of the roll-up (the day's ordinal is the key)

_PG_SQL = """
WITH facts AS (
  SELECT c.platform_id, c.team_id, c.problem_type_id, c.assignee_id,
    (c.created_at >= %(d0)s AND c.created_at < %(d1)s)::int AS filed,
    (c.resolved_at >= %(d0)s AND c.resolved_at < %(d1)s)::int AS resolved,
    (c.created_at < %(d1)s AND (COALESCE(c.resolved_at, c.closed_at) IS NULL
                                OR COALESCE(c.resolved_at, c.closed_at) >= %(d1)s))::int AS backlog,
    CASE WHEN c.first_responded_at >= %(d0)s AND c.first_responded_at < %(d1)s
         THEN extract(epoch FROM c.first_responded_at - c.created_at) END AS frt,
    CASE WHEN c.resolved_at >= %(d0)s AND c.resolved_at < %(d1)s
         THEN extract(epoch FROM c.resolved_at - c.created_at) END AS rt,
    (c.first_responded_at >= %(d0)s AND c.first_responded_at < %(d1)s
       AND c.first_response_due_at IS NOT NULL)::int AS sla_first_total,
    (c.first_responded_at >= %(d0)s AND c.first_responded_at < %(d1)s
       AND c.first_responded_at <= c.first_response_due_at)::int AS sla_first_met,
    (c.resolved_at >= %(d0)s AND c.resolved_at < %(d1)s AND c.resolution_due_at IS NOT NULL)::int
      AS sla_resolution_total,
    (c.resolved_at >= %(d0)s AND c.resolved_at < %(d1)s AND c.resolved_at <= c.resolution_due_at)::int
      AS sla_resolution_met,
    CASE WHEN COALESCE(c.resolved_at, c.closed_at) >= %(d0)s AND COALESCE(c.resolved_at, c.closed_at) < %(d1)s
         THEN c.rating END AS rating,
    0 AS cb_done, 0 AS cb_unreached
  FROM tickets_claim c
  WHERE c.created_at < %(d1)s
    AND (COALESCE(c.resolved_at, c.closed_at) IS NULL OR COALESCE(c.resolved_at, c.closed_at) >= %(d0)s)
  UNION ALL
  SELECT c.platform_id, c.team_id, c.problem_type_id, c.assignee_id, 0, 0, 0, NULL, NULL, 0, 0, 0, 0, NULL,
    (cb.status = 'done')::int, (cb.status = 'unreached')::int
  FROM tickets_callback cb JOIN tickets_claim c ON c.id = cb.claim_id
  WHERE cb.closed_at >= %(d0)s AND cb.closed_at < %(d1)s
)
INSERT INTO insights_dailyrollup (
  day, grain, platform_id, team_id, problem_type_id, assignee_id, filed, resolved, backlog, first_responses,
  median_first_response_s, median_resolution_s, sla_first_total, sla_first_met, sla_resolution_total,
  sla_resolution_met, rated, rating_sum, low_ratings, callbacks_done, callbacks_unreached, deflected,
  computed_at)
SELECT %(day)s,
  CASE GROUPING(platform_id, team_id, problem_type_id, assignee_id)
    WHEN 5 THEN 'platform_problem' WHEN 7 THEN 'platform' WHEN 11 THEN 'team' WHEN 13 THEN 'problem_type'
    WHEN 14 THEN 'agent' ELSE 'all' END,
  platform_id, team_id, problem_type_id, assignee_id,
  count(*) FILTER (WHERE filed = 1), count(*) FILTER (WHERE resolved = 1),
  count(*) FILTER (WHERE backlog = 1), count(frt),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY frt), percentile_cont(0.5) WITHIN GROUP (ORDER BY rt),
  count(*) FILTER (WHERE sla_first_total = 1), count(*) FILTER (WHERE sla_first_met = 1),
  count(*) FILTER (WHERE sla_resolution_total = 1), count(*) FILTER (WHERE sla_resolution_met = 1),
  count(rating), COALESCE(sum(rating), 0), count(*) FILTER (WHERE rating <= %(low)s),
  count(*) FILTER (WHERE cb_done = 1), count(*) FILTER (WHERE cb_unreached = 1), NULL, %(now)s
FROM facts
GROUP BY GROUPING SETS (
  (platform_id, problem_type_id), (platform_id), (team_id), (problem_type_id), (assignee_id), ())
"""


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The day in the site's time zone (Asia/Shanghai), as aware datetimes."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def rollup_day(day: date) -> int:
    """Replace ``day``'s rows; returns how many rows the day has now."""
    d0, d1 = day_bounds(day)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Two runs of the same day (beat overlapping a backfill) take turns: without the lock both
                # would delete nothing the other wrote yet and insert the day twice.
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ROLLUP_LOCK, day.toordinal()])
        DailyRollup.objects.filter(day=day).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    _PG_SQL, {"d0": d0, "d1": d1, "day": day, "now": timezone.now(), "low": LOW_RATING}
                )
                return cursor.rowcount
        rows = _portable_rows(day, d0, d1)
        DailyRollup.objects.bulk_create(rows)
        return len(rows)


def _in(value: datetime | None, d0: datetime, d1: datetime) -> bool:
    return value is not None and d0 <= value < d1


def _cuts(platform: Any, team: Any, problem: Any, assignee: Any) -> Iterable[tuple[str, Any, Any, Any, Any]]:
    yield Grain.ALL, None, None, None, None
    yield Grain.PLATFORM, platform, None, None, None
    yield Grain.TEAM, None, team, None, None
    yield Grain.PROBLEM_TYPE, None, None, problem, None
    yield Grain.PLATFORM_PROBLEM, platform, None, problem, None
    yield Grain.AGENT, None, None, None, assignee


def _portable_rows(day: date, d0: datetime, d1: datetime) -> list[DailyRollup]:
    done = Coalesce(F("resolved_at"), F("closed_at"))
    claims = (
        Claim.objects.annotate(done_at=done)
        .filter(created_at__lt=d1)
        .filter(Q(done_at__isnull=True) | Q(done_at__gte=d0))
        .values_list(
            "platform_id",
            "team_id",
            "problem_type_id",
            "assignee_id",
            "created_at",
            "resolved_at",
            "done_at",
            "first_responded_at",
            "first_response_due_at",
            "resolution_due_at",
            "rating",
        )
    )
    acc: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(
        lambda: defaultdict(int, frt=[], rt=[])  # type: ignore[arg-type]
    )
    now = timezone.now()
    for (
        platform,
        team,
        problem,
        assignee,
        created,
        resolved,
        done_at,
        first,
        first_due,
        res_due,
        rating,
    ) in cast(Iterable[tuple[Any, Any, Any, Any, datetime, Any, Any, Any, Any, Any, Any]], claims):
        for cut in _cuts(platform, team, problem, assignee):
            row = acc[cut]
            row["filed"] += _in(created, d0, d1)
            row["resolved"] += _in(resolved, d0, d1)
            row["backlog"] += created < d1 and (done_at is None or done_at >= d1)
            if _in(first, d0, d1):
                row["frt"].append((first - created).total_seconds())
                if first_due is not None:
                    row["sla_first_total"] += 1
                    row["sla_first_met"] += first <= first_due
            if _in(resolved, d0, d1):
                row["rt"].append((resolved - created).total_seconds())
                if res_due is not None:
                    row["sla_resolution_total"] += 1
                    row["sla_resolution_met"] += resolved <= res_due
            if rating is not None and _in(done_at, d0, d1):
                row["rated"] += 1
                row["rating_sum"] += rating
                row["low_ratings"] += rating <= LOW_RATING
    callbacks = Callback.objects.filter(closed_at__gte=d0, closed_at__lt=d1).values_list(
        "claim__platform_id", "claim__team_id", "claim__problem_type_id", "claim__assignee_id", "status"
    )
    for platform, team, problem, assignee, status in callbacks:
        for cut in _cuts(platform, team, problem, assignee):
            acc[cut]["callbacks_done"] += status == "done"
            acc[cut]["callbacks_unreached"] += status == "unreached"
    return [
        DailyRollup(
            day=day,
            grain=grain,
            platform_id=platform,
            team_id=team,
            problem_type_id=problem,
            assignee_id=assignee,
            filed=row["filed"],
            resolved=row["resolved"],
            backlog=row["backlog"],
            first_responses=len(row["frt"]),
            median_first_response_s=statistics.median(row["frt"]) if row["frt"] else None,
            median_resolution_s=statistics.median(row["rt"]) if row["rt"] else None,
            sla_first_total=row["sla_first_total"],
            sla_first_met=row["sla_first_met"],
            sla_resolution_total=row["sla_resolution_total"],
            sla_resolution_met=row["sla_resolution_met"],
            rated=row["rated"],
            rating_sum=row["rating_sum"],
            low_ratings=row["low_ratings"],
            callbacks_done=row["callbacks_done"],
            callbacks_unreached=row["callbacks_unreached"],
            computed_at=now,
        )
        for (grain, platform, team, problem, assignee), row in acc.items()
    ]


def rollup_recent(days: int = 2, *, today: date | None = None) -> int:
    """Beat: today's rows (so far) and yesterday's (final); ``days`` more to backfill."""
    today = today or timezone.localdate()
    return sum(rollup_day(today - timedelta(days=offset)) for offset in range(days))
