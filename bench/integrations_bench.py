"""Platform event ingestion and matching lag on PostgreSQL (not a test; prints its figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_bench_integrations \\
        python -m bench.integrations_bench

In one process, through the whole Django stack (key authentication, JSON parsing, per-item checks, the one
INSERT per batch, the audit entry): posts BENCH_BATCHES batches of 500 events to
``POST /api/v1/platform/events/`` while a matcher process runs ``match_pending()`` in a loop, as a Celery
worker would. Prints sustained ingestion (events/s, p50/p95 per batch) and matching lag (``matched_at -
received_at``: p50/p95/max). The database must be a throwaway one: the bench migrates it and empties the
integration tables at the start of each run. The event mix: 70 % order.delivered, 20 % topup.failed,
10 % topup.succeeded, 2,000 customers (10 % with an account), 50 merchants.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import secrets
import statistics
import sys
import time
from datetime import timedelta

BATCHES = int(os.environ.get("BENCH_BATCHES", "40"))
BATCH = 500
MATCH = os.environ.get("BENCH_MATCH", "1") != "0"  # 0: ingestion alone, then matching alone


def _setup() -> None:
    os.environ.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "API_THROTTLE_PLATFORM": "1000000/min",
            "LOG_LEVEL": "WARNING",
            "OUTBOX_KICK_ON_COMMIT": "false",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DATABASE_IS_POSTGRES:
        sys.exit("The bench needs PostgreSQL: set DATABASE_URL to a throwaway database.")
    call_command("migrate", verbosity=0)


def _events(batch: int, now: object, rng: random.Random) -> list[dict[str, object]]:
    from django.utils import timezone

    out = []
    for i in range(BATCH):
        roll = rng.random()
        kind = "order.delivered" if roll < 0.7 else "topup.failed" if roll < 0.9 else "topup.succeeded"
        when = timezone.now() - timedelta(seconds=rng.randint(0, 3000))
        out.append(
            {
                "id": f"bench-{now}-{batch}-{i}",
                "type": kind,
                "occurred_at": when.isoformat(),
                "customer": {"email": f"bench{rng.randint(0, 1999)}@example.com"},
                "order": {
                    "number": f"B{now}{batch:04d}{i:04d}",
                    "amount": f"{rng.randint(10, 800)}.00",
                    "currency": "CNY",
                    "product": "100元游戏点卡",
                    "status": "paid",
                    "paid_at": (when - timedelta(seconds=30)).isoformat(),
                    "merchant": f"商家{rng.randint(0, 49)}",
                },
            }
        )
    return out


def main() -> None:
    _setup()
    from django.db import connection
    from django.test import Client

    from contacts.models import Platform
    from helpdesk.api.platform_keys import SCOPES, platform_key_issue
    from helpdesk.models import Role, User
    from integrations.models import PlatformEvent
    from integrations.services import match_pending

    with connection.cursor() as cursor:  # a throwaway database: start each run from empty tables
        cursor.execute(
            "TRUNCATE integrations_outreachorder, integrations_outreach, integrations_orderfact, "
            "integrations_platformevent"
        )
    platform, _ = Platform.objects.get_or_create(slug="xingyun", defaults={"name": "星云卡盟"})
    for n in range(0, 2000, 10):
        User.objects.get_or_create(email=f"bench{n}@example.com", defaults={"role": Role.CUSTOMER})
    _row, key = platform_key_issue(actor=None, platform_id=platform.pk, name="bench", scopes=SCOPES)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    rng = random.Random(15)
    run = int(time.time())
    bodies = [json.dumps(_events(b, run, rng)) for b in range(BATCHES)]
    started_at = PlatformEvent.objects.count()

    # The matcher is its own process, as a Celery worker would be (no shared GIL with the web side).
    stop = multiprocessing.Event()

    def matcher() -> None:
        try:
            while not stop.is_set():
                if match_pending(batch_size=1000) == 0:
                    time.sleep(0.05)
            match_pending(batch_size=1000)
        finally:
            connection.close()

    connection.close()
    worker = multiprocessing.get_context("fork").Process(target=matcher) if MATCH else None
    if worker:
        worker.start()
    latencies = []
    begin = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        response = client.post("/api/v1/platform/events/", body, content_type="application/json")
        latencies.append(time.perf_counter() - t0)
        assert response.status_code == 202, response.content[:300]
        assert response.json()["accepted"] == BATCH, response.json()
    elapsed = time.perf_counter() - begin
    stop.set()
    if worker:
        worker.join()
    elif count_unmatched := PlatformEvent.objects.filter(matched_at=None).count():
        t0 = time.perf_counter()
        match_pending(batch_size=1000)
        print(f"matching alone: {count_unmatched / (time.perf_counter() - t0):,.0f} events/s")

    total = BATCHES * BATCH
    latencies.sort()
    print(f"ingestion: {total} events in {BATCHES} batches of {BATCH}: {total / elapsed:,.0f} events/s")
    print(
        f"  per batch: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms"
    )
    if not worker:
        return
    with connection.cursor() as cursor:
        lag = "extract(epoch FROM matched_at - received_at)"
        cursor.execute(
            f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {lag}),"
            f" percentile_cont(0.95) WITHIN GROUP (ORDER BY {lag}), max({lag}), count(*)"
            " FROM integrations_platformevent WHERE event_id LIKE %s",
            [f"bench-{run}-%"],
        )
        p50, p95, worst, count = cursor.fetchone()
    print(f"matching lag (received → matched, {count} events, one matcher process):")
    print(f"  p50 {p50:.2f} s, p95 {p95:.2f} s, max {worst:.2f} s")
    print(f"(events in the table before this run: {started_at})")


if __name__ == "__main__":
    main()
