"""SLA reports: attainment per platform, team and problem type; median first response and resolution times.

Counted in the database (one grouped query per dimension). A target counts once its outcome is known:
met (answered/resolved by the due time) or missed (answered late, or still open past it). Medians use
PostgreSQL's ``percentile_cont``; SQLite (development) computes them in Python.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from tickets.models import Claim

DIMENSIONS = {
    "platform": ("platform_id", "platform__name"),
    "problem_type": ("problem_type_id", "problem_type__name_zh"),
    "team": ("team_id", "team__name"),
}


@dataclass(frozen=True)
class Row:
    key: int | None
    label: str
    first_total: int
    first_met: int
    resolution_total: int
    resolution_met: int
    median_first_response: timedelta | None
    median_resolution: timedelta | None

    @property
    def first_attainment(self) -> float | None:
        return self.first_met / self.first_total if self.first_total else None

    @property
    def resolution_attainment(self) -> float | None:
        return self.resolution_met / self.resolution_total if self.resolution_total else None


def _known_first(now: datetime) -> Q:
    return Q(first_response_due_at__isnull=False) & (
        Q(first_responded_at__isnull=False) | Q(first_response_due_at__lt=now)
    )


def _known_resolution(now: datetime) -> Q:
    return Q(resolution_due_at__isnull=False) & (Q(resolved_at__isnull=False) | Q(resolution_due_at__lt=now))


def sla_report(*, dimension: str, since: datetime, now: datetime | None = None) -> list[Row]:
    now = now or timezone.now()
    key, label = DIMENSIONS[dimension]
    base = Claim.objects.filter(created_at__gte=since)
    counts = (
        base.values(key, label)
        .annotate(
            first_total=Count("pk", filter=_known_first(now)),
            first_met=Count("pk", filter=Q(first_responded_at__lte=F("first_response_due_at"))),
            resolution_total=Count("pk", filter=_known_resolution(now)),
            resolution_met=Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at"))),
        )
        .order_by(label)
    )
    medians = _medians(key, since)
    return [
        Row(
            key=row[key],
            label=row[label] or "—",
            first_total=row["first_total"],
            first_met=row["first_met"],
            resolution_total=row["resolution_total"],
            resolution_met=row["resolution_met"],
            median_first_response=medians.get(row[key], (None, None))[0],
            median_resolution=medians.get(row[key], (None, None))[1],
        )
        for row in counts
    ]


def _medians(key: str, since: datetime) -> dict[int | None, tuple[timedelta | None, timedelta | None]]:
    column = {"platform_id": "platform_id", "problem_type_id": "problem_type_id", "team_id": "team_id"}[key]
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT {column},
              percentile_cont(0.5) WITHIN GROUP
                (ORDER BY extract(epoch FROM first_responded_at - created_at)),
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at))
            FROM tickets_claim WHERE created_at >= %s GROUP BY {column}
        """  # noqa: S608 - the column comes from a fixed mapping, never from input
        with connection.cursor() as cursor:
            cursor.execute(sql, [since])
            return {
                row[0]: (
                    timedelta(seconds=float(row[1])) if row[1] is not None else None,
                    timedelta(seconds=float(row[2])) if row[2] is not None else None,
                )
                for row in cursor.fetchall()
            }
    firsts: dict[int | None, list[float]] = {}
    resolutions: dict[int | None, list[float]] = {}
    rows = Claim.objects.filter(created_at__gte=since).values_list(
        key, "created_at", "first_responded_at", "resolved_at"
    )
    for group, created, first, resolved in rows:
        if first:
            firsts.setdefault(group, []).append((first - created).total_seconds())
        if resolved:
            resolutions.setdefault(group, []).append((resolved - created).total_seconds())
    groups = set(firsts) | set(resolutions)
    return {
        g: (
            timedelta(seconds=statistics.median(firsts[g])) if g in firsts else None,
            timedelta(seconds=statistics.median(resolutions[g])) if g in resolutions else None,
        )
        for g in groups
    }
