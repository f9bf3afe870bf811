"""Insight pages at a million claims (not a test; prints its figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_bench_insight python -m bench.insights_bench

Reuses ``bench.queue_bench``'s seeding (BENCH_QUEUE_CLAIMS claims, default 1,000,000, one every 13 s, so
about 150 days), gives the handled ones first responses, resolutions and ratings (set-based UPDATEs), then
times the daily roll-up (one day, and a 90-day backfill) and measures in-process p50/p95 and query counts
of the supervisor analytics page (7/30/90 days), its CSV, the CSAT report, the public scorecard page and
API and the platform page with its headline. Use a throwaway database.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

from bench.queue_bench import _configure, _measure, _seed

RUNS = int(os.environ.get("BENCH_RUNS", "50"))

HANDLE_SQL = """
UPDATE tickets_claim SET
  first_responded_at = created_at + ((id % 180) * interval '1 minute'),
  resolved_at = CASE WHEN status IN ('resolved', 'closed')
                THEN created_at + ((id % 72) * interval '1 hour') END,
  closed_at = CASE WHEN status = 'closed' THEN created_at + ((id % 72 + 24) * interval '1 hour') END,
  rating = CASE WHEN status IN ('resolved', 'closed') AND id % 3 = 0 THEN 1 + (id % 5) END
WHERE first_responded_at IS NULL AND status <> 'new'
"""


def main() -> None:
    _configure()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from insights import rollup, scorecards
    from insights.models import DailyRollup

    if connection.vendor != "postgresql":
        raise SystemExit("The insights bench needs PostgreSQL: set DATABASE_URL.")
    seeded = _seed()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(HANDLE_SQL)
        handled = cursor.rowcount
        if handled:
            cursor.execute("VACUUM ANALYZE tickets_claim")
            print(f"handled {handled:,} claims in {time.perf_counter() - started:.0f} s")
        cursor.execute("SELECT count(*) FROM tickets_claim")
        print(f"claims: {cursor.fetchone()[0]:,}")
    today = timezone.localdate()
    started = time.perf_counter()
    rollup.rollup_day(today - timedelta(days=1))
    print(f"roll-up of one day: {(time.perf_counter() - started) * 1000:.0f} ms")
    backfill = int(os.environ.get("BENCH_BACKFILL_DAYS", "90"))  # 0 to reuse an earlier run's rows
    if backfill:
        started = time.perf_counter()
        rollup.rollup_recent(days=backfill)
        print(f"roll-up backfill of {backfill} days: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    scorecards.scorecards_refresh()
    print(f"scorecards refresh: {(time.perf_counter() - started) * 1000:.0f} ms")
    print(f"roll-up rows: {DailyRollup.objects.count():,}")

    web = Client()
    web.force_login(seeded["supervisor"])  # type: ignore[arg-type]
    public = Client()

    def ok(response: object) -> object:
        assert response.status_code == 200, (response.status_code, response.content[:300])  # type: ignore[attr-defined]
        return response

    for days in (7, 30, 90):
        _measure(
            f"analytics page, {days} days", lambda _i, d=days: ok(web.get(f"/agent/insights/?days={d}")), RUNS
        )
    _measure(
        "analytics page, 90 days, one platform",
        lambda _i: ok(
            web.get(
                "/agent/insights/?days=90&platform="
                + str(
                    __import__("contacts.models", fromlist=["Platform"])
                    .Platform.objects.get(slug="bench-1")
                    .pk
                )
            )
        ),
        RUNS,
    )
    _measure("analytics CSV, 90 days", lambda _i: ok(web.get("/agent/insights/export.csv?days=90")), RUNS)
    _measure(
        "CSAT report, 30 days",
        lambda _i: ok(web.get("/agent/insights/csat/?days=30")),
        10,
    )
    _measure("public scorecard page", lambda _i: ok(public.get("/platforms/bench-1/scorecard/")), RUNS)
    _measure("scorecard API", lambda _i: ok(public.get("/api/v1/platforms/bench-1/scorecard/")), RUNS)
    _measure("platform page with headline", lambda _i: ok(public.get("/platforms/bench-1/")), RUNS)


if __name__ == "__main__":
    main()
