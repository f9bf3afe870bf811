"""Agent queue at a million claims (not a test; prints its figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_bench python -m bench.queue_bench

Seeds BENCH_QUEUE_CLAIMS claims (default 1,000,000, about a third open) with set-based INSERT … SELECT
from generate_series inside PostgreSQL (secondary indexes dropped during the load and rebuilt after), then
measures in-process (Django test client, no network) p50/p95 and query counts of: the queue page (HTML and
API, 50 rows), take-next, the ticket workspace (50 timeline entries, 10 evidence files), search and the
supervisor view. The database should be a throwaway one: the bench migrates it and reuses its claims.

    BENCH_ONLY=workspace   measures only the figures whose name contains one of these comma-separated words
    BENCH_PROFILE=1        profiles each measured figure (cProfile) and prints its 25 most expensive frames
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = int(os.environ.get("BENCH_QUEUE_CLAIMS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "200"))
CUSTOMERS = 50_000
AGENTS = 40
ONLY = [word.strip() for word in os.environ.get("BENCH_ONLY", "").split(",") if word.strip()]
PROFILE = os.environ.get("BENCH_PROFILE", "") not in ("", "0", "false")


def _configure() -> None:
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("STAFF_2FA_REQUIRED", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("API_THROTTLE_USER", "100000000/min")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


SEED_SQL = """
INSERT INTO tickets_claim (
  reference, customer_id, platform_id, problem_type_id, subject, order_number, product, amount, currency,
  payment_channel, paid_at, transaction_id, description, desired_outcome, contact_phone, preferred_contact,
  redacted_kinds, status, late_filed, late_reason, priority, urgency_score, urgency_parts, is_high_value,
  assignee_id, first_response_due_at, resolution_due_at, created_at, updated_at, rating_comment, team_id,
  language
)
SELECT
  'BQ-' || to_char(created, 'YYYYMMDD') || '-' || lpad(to_hex(i), 8, '0'),
  %(first_customer)s + (i %% %(customers)s),
  (%(platforms)s)[1 + (i %% array_length(%(platforms)s, 1))],
  (%(types)s)[1 + ((i / 7) %% array_length(%(types)s, 1))],
  'B' || i || '-充值未到账-紧急',
  'B' || i,
  (10 + i %% 490) || '元游戏点卡',
  (10 + (i * 37) %% 990)::numeric,
  'CNY', 'alipay', created - interval '1 hour', '',
  '订单 B' || i || ' 购买' || (10 + i %% 490) || '元游戏点卡，付款后' || (i %% 59) || '分钟仍未到账，刷新了'
    || (i %% 5) || '次，客服电话打不通。' || md5(i::text),
  'reissue', '+86138' || lpad((i %% 100000000)::text, 8, '0'), 'in_app', '[]',
  CASE WHEN i %% 10 < 3 THEN (ARRAY['new','open','waiting_on_customer','waiting_on_platform'])[1 + i %% 4]
       WHEN i %% 10 < 8 THEN 'closed' ELSE 'resolved' END,
  i %% 23 = 0, '',
  1 + (i %% 4), 600 - (i %% 4) * 150 + (i %% 97), '{}', (i * 37) %% 990 >= 490,
  -- assigned claims belong to one of the assignee's team (agent n is in team n mod 5)
  CASE WHEN i %% 10 < 3 AND i %% 3 = 0 THEN (%(agents)s)[1 + (i %% 5) + 5 * ((i / 10) %% 8)] END,
  CASE WHEN i %% 2 = 0 THEN created + interval '15 minutes' END,
  CASE WHEN i %% 2 = 0 THEN created + interval '24 hours' END,
  created, created, '',
  (%(teams)s)[1 + (i %% 5)],
  'zh-hans'
FROM (
  SELECT i, now() - (i * interval '13 seconds') AS created FROM generate_series(%(start)s, %(stop)s) AS i
) AS s
"""


def _seed(claims: int = CLAIMS) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection

    from contacts.models import Platform, ProblemType
    from helpdesk.models import Role, User
    from tickets.models import Claim, Team, TeamMembership

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off serves the hashed manifest
    teams = [
        Team.objects.get_or_create(slug=f"bench-{n}", defaults={"name": f"Bench {n}"})[0] for n in range(5)
    ]
    agents = []
    for n in range(AGENTS):
        user, _ = User.objects.get_or_create(
            email=f"bench-agent{n}@example.com", defaults={"role": Role.AGENT, "staff_number": f"B{n:03d}"}
        )
        TeamMembership.objects.get_or_create(user=user, team=teams[n % len(teams)])
        agents.append(user)
    supervisor, _ = User.objects.get_or_create(
        email="bench-supervisor@example.com", defaults={"role": Role.SUPERVISOR}
    )
    platforms = [
        Platform.objects.get_or_create(slug=f"bench-{n}", defaults={"name": f"基准卡盟{n}"})[0].pk
        for n in range(20)
    ]
    types = list(ProblemType.objects.values_list("pk", flat=True))
    have = Claim.objects.count()
    if have < claims:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM helpdesk_user WHERE email LIKE 'bench-customer%%'")
            if cursor.fetchone()[0] < CUSTOMERS:
                cursor.execute(
                    """INSERT INTO helpdesk_user (password, is_superuser, first_name, last_name, is_staff,
                       is_active, date_joined, email, display_name, phone, role, staff_number, language)
                       SELECT '!', false, '', '', false, true, now(), 'bench-customer' || i || '@example.com',
                       '客户' || i, '', 'customer', '', '' FROM generate_series(1, %s) AS i""",
                    [CUSTOMERS],
                )
            cursor.execute("SELECT min(id) FROM helpdesk_user WHERE email LIKE 'bench-customer%%'")
            first_customer = cursor.fetchone()[0]
            cursor.execute(
                """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets_claim'
                   AND indexname NOT LIKE '%%pkey' AND indexdef NOT LIKE 'CREATE UNIQUE%%'"""
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            params = {
                "first_customer": first_customer,
                "customers": CUSTOMERS,
                "platforms": platforms,
                "types": types,
                "agents": [a.pk for a in agents],
                "teams": [t.pk for t in teams],
            }
            step = 200_000
            for start in range(have + 1, claims + 1, step):
                cursor.execute(SEED_SQL, {**params, "start": start, "stop": min(start + step - 1, claims)})
            loaded = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("VACUUM ANALYZE tickets_claim")  # what autovacuum would have done by now
        print(
            f"seeded {claims - have:,} claims: load {loaded - started:.0f} s, "
            f"indexes {time.perf_counter() - loaded:.0f} s"
        )
    return {"agents": agents, "supervisor": supervisor, "teams": teams}


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def _measure(name: str, run: Callable[[int], object], runs: int = RUNS) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if ONLY and not any(word in name for word in ONLY):
        return
    run(0)  # warm caches (reference data, prepared plans)
    times = []
    with CaptureQueriesContext(connection) as ctx:
        run(0)
    queries = len(ctx)
    cpu = []
    for i in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        run(i)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    # CPU: this process's own time (Python, drivers), which other load on the machine does not inflate.
    print(
        f"{name:<44} p50 {_ms(times, 0.5):7.1f} ms   p95 {_ms(times, 0.95):7.1f} ms   "
        f"mean {statistics.mean(times) * 1000:7.1f} ms   CPU p50 {_ms(cpu, 0.5):6.1f} ms   queries {queries}",
        flush=True,
    )
    if PROFILE:
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(min(runs, 50)):
            run(i)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue().split("\n", 4)[-1], flush=True)


def _workspace_claim(agent: object, team: object) -> str:
    from django.utils import timezone

    from tickets.models import Claim, ClaimEvent, Evidence

    claim = Claim.objects.filter(team=team, status__in=["new", "open"]).order_by("id").first()
    assert claim is not None
    if ClaimEvent.objects.filter(claim=claim).count() < 50:
        now = timezone.now()
        ClaimEvent.objects.bulk_create(
            ClaimEvent(
                claim=claim,
                kind="customer_reply" if i % 2 else "agent_reply",
                body=f"消息 {i}",
                created_at=now,
            )
            for i in range(50)
        )
        Evidence.objects.bulk_create(
            Evidence(
                claim=claim,
                storage_name=f"bench/{claim.pk}/{i}.png",
                sha256=f"{claim.pk:032d}{i:032d}",
                content_type="image/png" if i % 3 else "application/pdf",
                size=100_000,
                original_name=f"截图{i}.png",
            )
            for i in range(10)
        )
    return claim.reference


def main() -> None:
    _configure()
    from django.db import connection
    from django.test import Client
    from rest_framework.test import APIClient

    from tickets.desk import services as agent_services

    if connection.vendor != "postgresql":
        sys.exit("The queue bench needs PostgreSQL: set DATABASE_URL.")
    seeded = _seed()
    agents = seeded["agents"]
    agent = agents[0]  # type: ignore[index]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE status IN"
            " ('new','open','waiting_on_customer','waiting_on_platform')), count(*) FROM tickets_claim"
        )
        open_count, total = cursor.fetchone()
    print(f"claims: {total:,} ({open_count:,} open), {len(seeded['teams']):,} teams, {AGENTS} agents")  # type: ignore[arg-type]

    web = Client()
    web.force_login(agent)
    api = APIClient()
    api.force_authenticate(agent)
    supervisor_web = Client()
    supervisor_web.force_login(seeded["supervisor"])

    def ok(response: object) -> object:
        assert response.status_code == 200, (response.status_code, response.content[:300])  # type: ignore[attr-defined]
        return response

    for size in (25, 50, 200):
        _measure(f"queue page HTML, {size} rows", lambda _i, s=size: ok(web.get(f"/agent/queue/?size={s}")))
    _measure("queue API, 50 rows", lambda _i: ok(api.get("/api/v1/agent/queue/?size=50")))
    cursor_token = api.get("/api/v1/agent/queue/?size=50").json()["next"]
    _measure(
        "queue API, page 2 (keyset)", lambda _i: ok(api.get("/api/v1/agent/queue/", {"cursor": cursor_token}))
    )
    _measure(
        "queue HTML, filter unassigned + breached",
        lambda _i: ok(web.get("/agent/queue/?unassigned=on&sla=breached")),
    )
    _measure("queue HTML, mine", lambda _i: ok(web.get("/agent/queue/?mine=on")))
    _measure(
        "queue HTML, mine + filters (P1, due sort)",
        lambda _i: ok(web.get("/agent/queue/?mine=on&priority=1&sort=due")),
    )
    _measure("queue HTML, mine + breached", lambda _i: ok(web.get("/agent/queue/?mine=on&sla=breached")))
    _measure("queue API, mine, 50 rows", lambda _i: ok(api.get("/api/v1/agent/queue/?mine=true&size=50")))
    reference = _workspace_claim(agent, seeded["teams"][0])  # type: ignore[index]
    _measure("ticket workspace (50 events, 10 files)", lambda _i: ok(web.get(f"/agent/tickets/{reference}/")))
    probes = ["B123457", "B99", "付款后17分钟仍未到账", "+8613800012345", reference.lower()]
    _measure(
        "search (order no., text, phone, reference)",
        lambda i: ok(web.get("/agent/queue/", {"q": probes[i % len(probes)]})),
    )
    for label, probe in zip(
        ("order number", "broad (B99)", "text", "phone", "reference"), probes, strict=True
    ):
        _measure(f"search, {label}", lambda _i, p=probe: ok(web.get("/agent/queue/", {"q": p})), runs=50)
    _measure(
        "take next (service)",
        lambda i: agent_services.claim_take_next(agent=agents[i % len(agents)]),
        runs=RUNS,
    )  # type: ignore[index]
    _measure("take next (HTTP POST)", lambda _i: web.post("/agent/queue/take-next/"), runs=50)
    _measure(
        "supervisor view (figures shared 15 s)",
        lambda _i: ok(supervisor_web.get("/agent/supervisor/")),
        runs=30,
    )
    from tickets.desk.queue import supervisor_figures

    _measure("supervisor figures, computed (cold)", lambda _i: supervisor_figures(), runs=20)


if __name__ == "__main__":
    main()
