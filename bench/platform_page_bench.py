"""The public platform page /platforms/<slug>/ in-process (Django test client, DEBUG off), on the directory of
``bench.contacts_bench`` (10,000 platforms, 60,000 channels) plus the demo directory (/platforms/xingyun/).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_bench \
        .venv/bin/python -m bench.platform_page_bench

Three cases, each with p50/p95/max wall-clock milliseconds, CPU milliseconds per request (process time: what
the request costs this process, whatever else the machine runs) and the SQL queries per request:

- rendered: every request renders the page (the copy in the cache is never found), a different platform
  each time: the cost of the first view of a page in a minute;
- cached: the anonymous copy of this directory version and minute is served;
- xingyun rendered: the demo platform, rendered every time (BENCH_SEED_DEMO=1 seeds it once).

BENCH_PROFILE=1 adds a cProfile of the rendered case (top 25 by cumulative time).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.contacts_bench import populate  # sets up Django (DEBUG off) and the bench settings
from contacts import answer_cache
from contacts.models import Platform

RUNS = int(os.environ.get("BENCH_RUNS", "300"))


def measure(label: str, func: Callable[[int], object], runs: int = RUNS) -> None:
    for i in range(30):  # warm-up: connections, caches, plans, templates
        func(i)
    timings, cpu = [], []
    for i in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        func(i)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    counts = set()
    for i in range(10):
        with CaptureQueriesContext(connection) as queries:
            func(i)
        counts.add(len(queries.captured_queries))
    timings.sort()
    cpu.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{label:<34} p50 {statistics.median(timings):6.2f} ms   p95 {p95:6.2f} ms"
        f"   max {timings[-1]:6.2f} ms"
        f"   cpu p50 {statistics.median(cpu):5.2f} ms p95 {cpu[int(len(cpu) * 0.95) - 1]:5.2f} ms"
        f"   queries {sorted(counts)}"
    )


def main() -> int:
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL to a throwaway database.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    populate()
    if os.environ.get("BENCH_SEED_DEMO") == "1" and not Platform.objects.filter(slug="xingyun").exists():
        call_command("seed_demo", verbosity=0)  # slow: it hashes the demo users' passwords
    demo = Platform.objects.filter(slug="xingyun").exists()
    slugs = list(Platform.objects.filter(slug__startswith="bench-").values_list("slug", flat=True))
    rng = random.Random(11)
    picks = [rng.choice(slugs) for _ in range(RUNS + 50)]
    client = Client()
    real_get = answer_cache.get

    def get(path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    def rendered(i: int) -> None:
        get(f"/platforms/{picks[i % len(picks)]}/")

    def cached(i: int) -> None:
        get(f"/platforms/{picks[i % 20]}/")

    def xingyun(i: int) -> None:
        get("/platforms/xingyun/")

    answer_cache.get = lambda key: None  # type: ignore[assignment]
    try:
        measure("rendered (another platform each)", rendered)
        if demo:
            measure("xingyun rendered", xingyun)
        if os.environ.get("BENCH_PROFILE") == "1":
            profile = cProfile.Profile()
            profile.enable()
            for i in range(200):
                rendered(i)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    finally:
        answer_cache.get = real_get  # type: ignore[assignment]
    measure("cached (anonymous copy)", cached)
    return 0


if __name__ == "__main__":
    sys.exit(main())
