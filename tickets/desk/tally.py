"""Upkeep of the kept open-claim counts (tickets.models.OpenClaimTally) that the supervisor's figures read.

Triggers on the claim table write the tally in the claim's own transaction (migration 0016), so it cannot
drift through any code path of ours. Two periodic tasks keep it small and honest:

- ``tally_compact`` (every minute) folds the -1/+1 rows into one row per group, so that the figures sum a
  few hundred rows, not every change since the last fold. One statement on PostgreSQL: rows inserted by
  transactions still running are not in its snapshot and stay for the next fold.
- ``tally_recount`` (daily) compares the tally with a plain count of the open claims and, where they differ
  (a trigger disabled for a restore, rows written with ``session_replication_role = replica``, a TRUNCATE),
  logs the difference and replaces the tally with the count. It holds a SHARE lock on the claim table while
  it counts (claim writes wait that long: a fraction of a second at a million claims).
"""

from __future__ import annotations

import logging
from collections import Counter

from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Sum

from tickets.models import CLOCK_RUNNING, OPEN_STATUSES, Claim, OpenClaimTally

logger = logging.getLogger(__name__)

GROUP = ("team_id", "priority", "assignee_id", "clock_running")
Group = tuple[int | None, int, int | None, bool]

_COMPACT_POSTGRES = """
WITH folded AS (
    DELETE FROM tickets_openclaimtally RETURNING team_id, priority, assignee_id, clock_running, n
)
INSERT INTO tickets_openclaimtally (team_id, priority, assignee_id, clock_running, n)
SELECT team_id, priority, assignee_id, clock_running, sum(n) FROM folded
GROUP BY team_id, priority, assignee_id, clock_running HAVING sum(n) <> 0
"""


def tally_counts() -> Counter[Group]:
    """The tally as it stands: each group's count (groups that sum to zero left out)."""
    counts: Counter[Group] = Counter()
    for row in OpenClaimTally.objects.values(*GROUP).annotate(total=Sum("n")).order_by():
        if row["total"]:
            counts[(row["team_id"], row["priority"], row["assignee_id"], bool(row["clock_running"]))] = row[
                "total"
            ]
    return counts


def recounted() -> Counter[Group]:
    """The same groups counted from the open claims (the reference the tally must equal)."""
    rows = (
        Claim.objects.filter(status__in=sorted(s.value for s in OPEN_STATUSES))
        .annotate(running=ExpressionWrapper(CLOCK_RUNNING, output_field=BooleanField()))
        .order_by()
        .values("team_id", "priority", "assignee_id", "running")
        .annotate(total=Count("id"))
    )
    return Counter(
        {(r["team_id"], r["priority"], r["assignee_id"], bool(r["running"])): r["total"] for r in rows}
    )


def tally_compact() -> int:
    """Fold the tally into one row per group; returns the number of rows left."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_COMPACT_POSTGRES)
            return cursor.rowcount
    # SQLite has one writer at a time: read, delete what was read, write the sums, in one transaction.
    with transaction.atomic():
        last = OpenClaimTally.objects.aggregate(last=Max("id"))["last"]
        if last is None:
            return 0
        rows = OpenClaimTally.objects.filter(id__lte=last).values(*GROUP).annotate(total=Sum("n")).order_by()
        sums = [OpenClaimTally(**{k: row[k] for k in GROUP}, n=row["total"]) for row in rows if row["total"]]
        OpenClaimTally.objects.filter(id__lte=last).delete()
        OpenClaimTally.objects.bulk_create(sums)
        return len(sums)


def tally_recount() -> int:
    """Check the tally against a plain count and repair it; returns the number of groups that differed."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Claim writes wait until this transaction ends, so the count and the tally see the same claims.
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE tickets_claim IN SHARE MODE")
        expected, kept = recounted(), tally_counts()
        differing = {group for group in expected.keys() | kept.keys() if expected[group] != kept[group]}
        if not differing:
            return 0
        logger.error(
            "Open-claim tally drifted in %d groups (team, priority, assignee, clock: kept, counted): %s; "
            "replaced by a recount",
            len(differing),
            {group: (kept[group], expected[group]) for group in sorted(differing, key=str)[:20]},
        )
        OpenClaimTally.objects.all().delete()
        OpenClaimTally.objects.bulk_create(
            OpenClaimTally(team_id=g[0], priority=g[1], assignee_id=g[2], clock_running=g[3], n=n)
            for g, n in expected.items()
        )
        return len(differing)
