"""SLA sweep at scale (not a test; prints its figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_bench_sla python -m bench.sla_bench

Seeds BENCH_SLA_CLAIMS claims (default 1,000,000; BENCH_SLA_OPEN of them open, default 300,000) with one
INSERT … SELECT generate_series, the open ones with SLA thresholds spread so that BENCH_SLA_RATE crossings
fall due per minute (default 364, issue 17: each open claim crosses its first-response warning and, five
minutes later, its breach) and their next check in the ``tickets_slacheck`` side table, then:
  1. steady state: the minute-by-minute sweep, warmed up for 7 minutes (from then on warnings and breaches
     both cross every minute), timed over 20 runs, with its query count, CPU time and crossings per run;
     the same with a tenth of the open claims (same rate) to show neither grows with the open claims;
     BENCH_SLA_PROFILE=1 adds a cProfile of 10 more runs and the SQL of one;
  2. backlog: 50,000 claims whose thresholds all passed at once (say, the workers were down), cleared by
     one sweep call: elapsed time and crossings recorded.
Re-running reseeds. The database should be a throwaway one.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import datetime, timedelta

CLAIMS = int(os.environ.get("BENCH_SLA_CLAIMS", "1000000"))
OPEN = int(os.environ.get("BENCH_SLA_OPEN", "300000"))
BACKLOG = int(os.environ.get("BENCH_SLA_BACKLOG", "50000"))
RATE = int(os.environ.get("BENCH_SLA_RATE", "364"))  # crossings per minute in the steady state
PROFILE = os.environ.get("BENCH_SLA_PROFILE", "") not in ("", "0", "false")
WARM_UP = 7  # minutes: the first breaches (five minutes after the first warnings) cross from minute 7


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("OUTBOX_KICK_ON_COMMIT", "false")
    import django

    django.setup()


def _seed() -> None:
    from django.core.management import call_command
    from django.db import connection

    from contacts.models import Platform, ProblemType
    from helpdesk.models import Role, User

    call_command("migrate", verbosity=0)
    platform, _ = Platform.objects.get_or_create(slug="xingyun", defaults={"name": "星云卡盟"})
    problem = ProblemType.objects.order_by("id").first()
    assert problem is not None, "problem types come with the migrations"
    customer, _ = User.objects.get_or_create(
        email="bench-sla@bench.invalid", defaults={"role": Role.CUSTOMER}
    )
    User.objects.get_or_create(email="bench-sup@bench.invalid", defaults={"role": Role.SUPERVISOR})
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tickets_claim, helpdesk_outboxmessage CASCADE")
        started = time.perf_counter()
        # Open claims are the last OPEN ids; their first-response warnings spread evenly over ``spread``
        # minutes from now + 2 minutes (each claim crosses twice: warning, then breach 5 minutes later).
        cursor.execute(
            """
            INSERT INTO tickets_claim (
              reference, customer_id, platform_id, problem_type_id, subject, order_number, product, amount,
              currency, payment_channel, paid_at, transaction_id, description, desired_outcome, contact_phone,
              preferred_contact, redacted_kinds, status, late_filed, late_reason, priority, urgency_score,
              urgency_parts, is_high_value, created_at, updated_at, rating_comment,
              first_response_warn_at, first_response_due_at, resolution_warn_at, resolution_due_at, language
            )
            SELECT 'BN-' || g, %(customer)s, %(platform)s, %(problem)s, 'bench', 'ORD' || g, 'card', 100,
              'CNY', 'alipay', now(), '', 'bench', 'refund', '', 'in_app', '[]',
              CASE WHEN g > %(closed)s THEN 'open' ELSE 'closed' END, false, '', 3, 300, '{}', false,
              now() - interval '1 day', now(), '',
              w.at, w.at + interval '5 minutes', w.at + interval '1 day', w.at + interval '1 day 2 hours',
              'zh-hans'
            FROM generate_series(1, %(total)s) AS g,
                 LATERAL (SELECT now() + (g %% %(spread)s) * interval '1 minute' + interval '2 minutes'
                          AS at) AS w
            """,
            {
                "customer": customer.pk,
                "platform": platform.pk,
                "problem": problem.pk,
                "closed": CLAIMS - OPEN,
                "total": CLAIMS,
                "spread": max(1, round(2 * OPEN / RATE)),
            },
        )
        # The sweep's entry point: each open claim's next check (its first-response warning).
        cursor.execute(
            "INSERT INTO tickets_slacheck (claim_id, next_check_at) "
            "SELECT id, first_response_warn_at FROM tickets_claim WHERE status = 'open'"
        )
        cursor.execute("ANALYZE tickets_claim")
        cursor.execute("ANALYZE tickets_slacheck")
        print(f"seeded {CLAIMS:,} claims ({OPEN:,} open) in {time.perf_counter() - started:.1f} s")


def _steady(label: str) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tickets.sla.sweep import sla_sweep

    base = timezone.now()
    for minute in range(1, WARM_UP + 1):
        sla_sweep(now=base + timedelta(minutes=minute))
    timings = []
    crossings = []
    queries = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    cpu_started = _cpu_seconds(backend)
    runs = range(WARM_UP + 1, WARM_UP + 21)
    for minute in runs:
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            crossings.append(sla_sweep(now=base + timedelta(minutes=minute)))
            timings.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured.captured_queries))
    cpu_ended = _cpu_seconds(backend)
    cpu = [(after - before) * 1000 / len(runs) for before, after in zip(cpu_started, cpu_ended, strict=True)]
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{label}: steady-state sweep (one run a minute, {statistics.mean(crossings):.0f} crossings/min, "
        f"{min(crossings)}-{max(crossings)} per run) wall p50 {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms; queries per run {min(queries)}-{max(queries)}; "
        f"CPU per run {cpu[0]:.0f} ms Python + {cpu[1]:.0f} ms PostgreSQL backend, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    if PROFILE:
        _profile(base + timedelta(minutes=runs[-1]))


def _profile(last: datetime) -> None:
    """cProfile of ten more minute runs (by own time), then the statements of one run."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets.sla.sweep import sla_sweep

    profiler = cProfile.Profile()
    for minute in range(1, 11):
        profiler.runcall(sla_sweep, now=last + timedelta(minutes=minute))
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    with CaptureQueriesContext(connection) as captured:
        sla_sweep(now=last + timedelta(minutes=11))
    for query in captured.captured_queries:
        print(f"-- {query['time']} s\n{query['sql'][:600]}")


def _cpu_seconds(backend_pid: int) -> tuple[float, float]:
    """CPU time of this process and of its PostgreSQL backend (read from /proc: the bench runs on the
    database's machine). On a shared machine wall time follows the other tenants; CPU time does not."""
    try:
        with open(f"/proc/{backend_pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        backend = float("nan")
    return time.process_time(), backend


def _backlog() -> None:
    from django.db import connection
    from django.utils import timezone

    from tickets.sla.sweep import sla_sweep

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE tickets_claim SET first_response_warn_at = now() - interval '10 minutes',
                   first_response_due_at = now() - interval '1 minute'
            WHERE id IN (SELECT id FROM tickets_claim WHERE status = 'open' ORDER BY id DESC LIMIT %s)
            """,
            [BACKLOG],
        )
        cursor.execute(
            """
            UPDATE tickets_slacheck SET next_check_at = now() - interval '10 minutes'
            WHERE claim_id IN (SELECT id FROM tickets_claim WHERE status = 'open' ORDER BY id DESC LIMIT %s)
            """,
            [BACKLOG],
        )
    started = time.perf_counter()
    recorded = sla_sweep(now=timezone.now(), max_batches=1000)
    elapsed = time.perf_counter() - started
    print(
        f"backlog: {BACKLOG:,} claims crossing at once → {recorded:,} crossings recorded in {elapsed:.1f} s"
    )


def main() -> None:
    global CLAIMS, OPEN
    _setup()
    from django.conf import settings

    if not settings.DATABASE_IS_POSTGRES:
        sys.exit("The bench needs PostgreSQL: set DATABASE_URL to a throwaway database.")
    _seed()
    _steady(f"{OPEN:,} open of {CLAIMS:,}")
    _backlog()
    CLAIMS, OPEN = CLAIMS // 10, OPEN // 10
    _seed()
    _steady(f"{OPEN:,} open of {CLAIMS:,} (a tenth)")


if __name__ == "__main__":
    main()
