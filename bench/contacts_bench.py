"""Directory benchmark: platform search and the platform page with 10,000 platforms and 60,000 channels.

Run against a throwaway PostgreSQL database (it migrates it and fills it once):

    createdb -h 127.0.0.1 -U postgres claimdesk_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_bench .venv/bin/python -m bench.contacts_bench

Prints p50/p95/max in milliseconds and the number of SQL queries per operation. The target (issue #3):
search and the platform page each p95 <= 20 ms in-process, with a query count that does not grow with the
number of channels shown.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import time as clock
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
# Measure what production runs: no debug (no query log, no template debug), plain HTTP in-process.
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x1y2z3" * 10)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
django.setup()

from django.conf import settings  # noqa: E402

# Without collectstatic there is no manifest; plain static URLs cost the same for this measurement.
settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
if os.environ.get("BENCH_SERVER_SIDE_BINDING") == "1":
    # Experiment: psycopg server-side binding lets PostgreSQL prepare repeated statements (no re-planning).
    settings.DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from contacts.models import (  # noqa: E402
    ChannelProposal,
    ContactChannel,
    Platform,
    ProblemType,
    ServiceWindow,
    platform_search_text,
)
from contacts.selectors import platform_search  # noqa: E402
from helpdesk.models import Role, User  # noqa: E402

PLATFORMS = int(os.environ.get("BENCH_PLATFORMS", "10000"))
CHANNELS_PER_PLATFORM = 6
SYLLABLES = "星云蓝鲸金龙凤凰天马飞鱼海豚彩虹极光银河火焰雷霆山川松柏梅兰竹菊春夏秋冬东南西北"
KINDS = [
    ("claims_hotline", "always"),
    ("customer_service_hotline", "weekly"),
    ("emergency_line", "always"),
    ("online_chat", "always"),
    ("email", "none"),
    ("member_service", "weekly"),
]


def _value(kind: str, i: int) -> tuple[str, str]:
    if kind == "online_chat":
        return f"https://kf.bench{i}.cn/chat", f"https://kf.bench{i}.cn/chat"
    if kind == "email":
        return f"kefu@bench{i}.cn", f"kefu@bench{i}.cn"
    if kind == "emergency_line":
        return f"95{i:06d}", f"CN:95{i:06d}"
    number = 4000000000 + i * 10 + [k for k, _m in KINDS].index(kind)
    return str(number), f"+86{number}"


def populate() -> None:
    if Platform.objects.filter(slug="bench-00000").exists():
        return
    started = time.perf_counter()
    proposer, _ = User.objects.get_or_create(
        email="bench-a@example.com", defaults={"role": Role.DIRECTORY_ADMIN}
    )
    approver, _ = User.objects.get_or_create(
        email="bench-b@example.com", defaults={"role": Role.DIRECTORY_ADMIN}
    )
    rng = random.Random(7)
    problem_types = list(ProblemType.objects.all())
    now = timezone.now()
    with transaction.atomic():
        platforms = []
        for i in range(PLATFORMS):
            name = rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + f"卡盟{i:05d}"
            aliases = [f"Brand{i:05d}"]
            slug = f"bench-{i:05d}"
            platforms.append(
                Platform(
                    name=name,
                    slug=slug,
                    aliases=aliases,
                    search_text=platform_search_text(name, aliases, slug),
                )
            )
        Platform.objects.bulk_create(platforms, batch_size=2000)
        platforms = list(Platform.objects.filter(slug__startswith="bench-").order_by("id"))
        channels = []
        for i, platform in enumerate(platforms):
            for order, (kind, mode) in enumerate(KINDS):
                value, canonical = _value(kind, i)
                channels.append(
                    ContactChannel(
                        platform=platform,
                        kind=kind,
                        value=value,
                        canonical_value=canonical,
                        hours_mode=mode,
                        expected_response_time=timedelta(minutes=5),
                        sort_order=order,
                        state="pending",
                    )
                )
        ContactChannel.objects.bulk_create(channels, batch_size=5000)
        channels = list(ContactChannel.objects.filter(platform__slug__startswith="bench-").order_by("id"))
        windows = [
            ServiceWindow(channel=c, weekday=day, start=clock(9), end=clock(18))
            for c in channels
            if c.hours_mode == "weekly"
            for day in range(5)
        ]
        ServiceWindow.objects.bulk_create(windows, batch_size=5000)
        through = ContactChannel.problem_types.through
        links = [
            through(contactchannel_id=c.pk, problemtype_id=pt.pk)
            for c in channels
            for pt in rng.sample(problem_types, 3)
        ]
        through.objects.bulk_create(links, batch_size=10000)
        proposals = []
        for c in channels:
            values = {"kind": c.kind, "value": c.value, "canonical_value": c.canonical_value}
            digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()
            proposals.append(
                ChannelProposal(
                    platform_id=c.platform_id,
                    channel=c,
                    values=values,
                    fingerprint=digest,
                    approved_fingerprint=digest,
                    status="approved",
                    proposed_by=proposer,
                    decided_by=approver,
                    decided_at=now,
                )
            )
        ChannelProposal.objects.bulk_create(proposals, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE contacts_contactchannel c
                   SET state = 'verified', approved_proposal_id = p.id, verified_by_id = p.proposed_by_id,
                       approved_by_id = p.decided_by_id, verified_at = %s, review_due_at = %s
                  FROM contacts_channelproposal p
                 WHERE p.channel_id = c.id AND c.state = 'pending'
                """,
                [now, now + timedelta(days=180)],
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    elapsed = time.perf_counter() - started
    print(f"populated {len(platforms)} platforms, {len(channels)} channels in {elapsed:.1f}s")


def measure(label: str, func: Callable[[int], object], runs: int = 300) -> None:
    for i in range(20):  # warm-up: connections, caches, plans
        func(i)
    timings = []
    for i in range(runs):
        started = time.perf_counter()
        func(i)
        timings.append((time.perf_counter() - started) * 1000)
    counts = set()
    for i in range(20):  # counted apart: capturing queries slows the cursor down
        with CaptureQueriesContext(connection) as queries:
            func(i)
        counts.add(len(queries.captured_queries))
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{label:<44} p50 {statistics.median(timings):6.2f} ms   p95 {p95:6.2f} ms   "
        f"max {timings[-1]:6.2f} ms   queries {sorted(counts)}"
    )


def main() -> int:
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL to a throwaway database.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    populate()
    total_platforms = Platform.objects.count()
    total_channels = ContactChannel.objects.count()
    print(f"data: {total_platforms} platforms, {total_channels} channels")
    rng = random.Random(11)
    samples = list(Platform.objects.filter(slug__startswith="bench-").values_list("name", "slug", "aliases"))
    picks = [rng.choice(samples) for _ in range(400)]

    def search_by_alias(i: int) -> object:
        return platform_search(query=picks[i % len(picks)][2][0])

    def search_by_name(i: int) -> object:
        return platform_search(query=picks[i % len(picks)][0])

    def search_by_pinyin(i: int) -> object:
        name = picks[i % len(picks)][0]
        return platform_search(query=platform_search_text(name[:2], [], "").split(" ")[1])

    def search_two_characters(i: int) -> object:
        return platform_search(query=picks[i % len(picks)][0][:2])

    client = Client()

    def platform_page(i: int) -> object:
        response = client.get(f"/platforms/{picks[i % len(picks)][1]}/")
        assert response.status_code == 200
        return response

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN SELECT id FROM contacts_platform WHERE search_text LIKE %s", ["%brand01234%"])
        plan = " | ".join(row[0].strip() for row in cursor.fetchall()[:2])
    print(f"search plan: {plan}")
    measure("search by alias (Brand01234)", search_by_alias)
    measure("search by full name (星云卡盟01234)", search_by_name)
    measure("search by pinyin of two characters", search_by_pinyin)
    measure("search by two Chinese characters", search_two_characters)
    measure("platform page /platforms/<slug>/ (6 channels)", platform_page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
