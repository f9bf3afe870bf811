"""``make bench``: every bench on throwaway databases, then one summary table (not a test).

    .venv/bin/python -m bench.run_all            # small sizes, about 10-15 minutes on 2 cores
    BENCH_FULL=1 .venv/bin/python -m bench.run_all   # the issues' sizes (1,000,000 claims; much longer)
    BENCH_ONLY=queue,http .venv/bin/python -m bench.run_all

PostgreSQL and Redis on loopback (BENCH_PG, default postgres://postgres@127.0.0.1:5432; CACHE_URL and
CELERY_BROKER_URL as in ``bench.http_bench``). The databases are named BENCH_DB_PREFIX_<name> (default
prefix ``claimdesk_bench_make``): a template database is migrated once and copied for each bench
(CREATE DATABASE … TEMPLATE), and all of them are dropped at the end, also after a failure or Ctrl-C.
Each bench runs in its own process with its output shown as it goes (BENCH_TIMEOUT seconds at most each,
default 1200); a failed bench is marked in the table and the others still run. Any size variable of a bench
(BENCH_QUEUE_CLAIMS, BENCH_RUNS, …) set in the environment wins over the defaults below.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
FULL = os.environ.get("BENCH_FULL", "") not in ("", "0")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PREFIX = os.environ.get("BENCH_DB_PREFIX", "claimdesk_bench_make")
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "1200"))
CLAIMS = "1000000" if FULL else "100000"

# (name, module, database, sizes): benches sharing a database run in this order on the same claims.
BENCHES: list[tuple[str, str, str, dict[str, str]]] = [
    (
        "queue",
        "bench.queue_bench",
        "claims",
        {"BENCH_QUEUE_CLAIMS": CLAIMS, "BENCH_RUNS": "200" if FULL else "30"},
    ),
    (
        "insights",
        "bench.insights_bench",
        "claims",
        {
            "BENCH_QUEUE_CLAIMS": CLAIMS,
            "BENCH_RUNS": "50" if FULL else "10",
            "BENCH_BACKFILL_DAYS": "90" if FULL else "14",
        },
    ),
    (
        "http",
        "bench.http_bench",
        "claims",
        {
            "BENCH_HTTP_CLAIMS": CLAIMS,
            "BENCH_HTTP_SECONDS": "15" if FULL else "10",
            "BENCH_HTTP_RSS_REQUESTS": "20000" if FULL else "3000",
        },
    ),
    ("wave", "bench.wave", "claims", {"BENCH_HTTP_CLAIMS": CLAIMS, "WAVE_SECONDS": "60", "WAVE_AFTER": "30"}),
    (
        "sla",
        "bench.sla_bench",
        "sla",
        {
            "BENCH_SLA_CLAIMS": CLAIMS,
            "BENCH_SLA_OPEN": "300000" if FULL else "30000",
            "BENCH_SLA_BACKLOG": "50000" if FULL else "10000",
        },
    ),
    (
        "claims",
        "bench.claims_bench",
        "filing",
        {
            "BENCH_CLAIMS": "3000" if FULL else "1000",
            "BENCH_UPLOADS": "60" if FULL else "16",
            "BENCH_WORKERS": "4",
        },
    ),
    ("checker", "bench.checker_bench", "checker", {"BENCH_REPORTS": "100000" if FULL else "10000"}),
    ("contacts", "bench.contacts_bench", "contacts", {"BENCH_PLATFORMS": "10000" if FULL else "1000"}),
    ("help", "bench.help_bench", "help", {"BENCH_ARTICLES": "10000" if FULL else "1000"}),
    ("integrations", "bench.integrations_bench", "integrations", {"BENCH_BATCHES": "40" if FULL else "10"}),
]

# (bench, label pattern, target) from the issues' tables (17, 19 and the ones the benches name).
TARGETS: list[tuple[str, str, str]] = [
    ("queue", r"HTML, 25 rows", "p50 <= 8 ms"),
    ("queue", r"HTML, 50 rows", "p95 <= 15 ms"),
    ("queue", r"HTML, 200 rows", "p95 <= 40 ms"),
    ("queue", r"queue API, 50 rows", "p95 <= 10 ms"),
    ("queue", r"mine", "p95 <= 15 ms"),
    ("queue", r"filter", "p95 <= 15 ms"),
    ("queue", r"workspace", "p95 <= 25 ms"),
    ("queue", r"search", "p95 <= 50 ms"),
    ("queue", r"figures, computed", "p95 <= 100 ms"),
    ("insights", r"platform page", "p95 <= 12 ms"),
    ("contacts", r"platform page", "p95 <= 12 ms"),
    ("contacts", r"search", "p95 <= 20 ms"),
    ("claims", r"without Idempotency|with Idempotency", ">= 300 claims/s"),
    ("claims", r"client\(s\)", "p95 <= 250 ms"),
    ("sla", r"steady-state", "p50 <= 40 ms"),
    ("checker", r"single number", "p95 <= 10 ms"),
    ("checker", r"message|SMS|pasted", "p95 <= 30 ms"),
    ("help", r"search|help", "p95 <= 20 ms"),
    ("http", r"^mix .*errors", "0"),
    ("http", r"checker: number", ">= 1,000 req/s, p99 <= 100 ms"),
    ("http", r"pasted SMS", ">= 600 req/s"),
    ("http", r"platform page", ">= 800 req/s"),
    ("http", r"home page", ">= 800 req/s"),
    ("wave", r"5xx", "0"),
    ("wave", r"without Retry-After", "0"),
    ("wave", r"lost claims", "0"),
    ("wave", r"back to normal", "<= 10 s"),
]

PERCENTILES = re.compile(
    r"^\s*(?P<label>.+?)[\s:,]+p50\s+(?P<p50>[\d.]+)\s*(ms|s)?[\s,]+p95\s+(?P<p95>[\d.]+)\s*(?P<unit>ms|s)?"
)
RATE = re.compile(r"^\s*(?P<label>[^:]+(?::[^:]+)?):?\s.*?(?P<rate>[\d,.]+ (claims|events)/s)")


def _admin() -> psycopg.Connection:
    host = urllib.parse.urlsplit(PG).hostname or ""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        sys.exit(f"BENCH_PG must be a loopback PostgreSQL, not {host!r}")
    return psycopg.connect(f"{PG}/postgres", autocommit=True)


def _drop(admin: psycopg.Connection, name: str) -> None:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(module: str, env: dict[str, str]) -> tuple[int, str, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", module],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    deadline = time.monotonic() + TIMEOUT
    try:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write("    " + line)
            lines.append(line)
            if time.monotonic() > deadline:
                break
        if process.poll() is None and time.monotonic() > deadline:
            os.killpg(process.pid, 15)
            lines.append(f"timed out after {TIMEOUT} s\n")
        code = process.wait(timeout=60)
    except BaseException:
        if process.poll() is None:
            os.killpg(process.pid, 15)  # the bench stops its own gunicorn on SIGTERM
            process.wait(timeout=30)
        raise
    return code, "".join(lines), time.perf_counter() - started


def _figures(bench: str, output: str) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if bench == "http":
        level = ""
        seen: dict[str, str] = {}
        for line in output.splitlines():
            if line.startswith("mix at"):
                level, seen = line.split(",")[0], {}
                continue
            match = re.match(r"\s+(requests/s|latency p50|latency p95|latency p99|errors)\s+([\d,.]+)", line)
            if match and level:
                seen[match.group(1)] = match.group(2)
                if match.group(1) == "errors":
                    rows.append(
                        (
                            f"{level}",
                            f"{seen.get('requests/s')} req/s, p50/p95/p99 {seen.get('latency p50')}/"
                            f"{seen.get('latency p95')}/{seen.get('latency p99')} ms",
                        )
                    )
                    rows.append((f"{level}: errors", match.group(2)))
            match = re.match(
                r"\s+(healthz|checker: \w+|checker: pasted SMS|platform page|home page)"
                r"\s+([\d,]+)\s+([\d.]+)\s+([\d.]+)",
                line,
            )
            if match:
                rows.append(
                    (f"alone at 32: {match.group(1)}", f"{match.group(2)} req/s, p99 {match.group(4)} ms")
                )
            if line.strip().startswith("growth:"):
                rows.append(("worker RSS growth", line.split(":", 1)[1].strip()))
        return rows
    if bench == "wave":
        for line in output.splitlines():
            match = re.match(
                r"\s{2}(5xx.*?|429 without Retry-After|429|lost claims|claims filed.*?"
                r"|agent queue p50 / p95, during|back to normal after the wave)\s{2,}(\S.*?)(\s{2,}.*)?$",
                line,
            )
            if match:
                rows.append((match.group(1).strip(), match.group(2).strip()))
            if line.startswith("sustainable rate"):
                rows.append(("sustainable rate, public mix", line.split(":", 1)[1].split("(")[0].strip()))
        return rows
    previous = ""
    for line in output.splitlines():
        match = PERCENTILES.match(line)
        if match:
            unit = match.group("unit") or "ms"
            label = match.group("label").strip() or previous.strip().rstrip(":")  # figures on their own line
            rows.append((label, f"p50 {match.group('p50')} / p95 {match.group('p95')} {unit}"))
        else:
            match = RATE.match(line)
            if match:
                rows.append((match.group("label").strip(), match.group("rate")))
        previous = line
    return rows


def _target(bench: str, label: str) -> str:
    for name, pattern, target in TARGETS:
        if name == bench and re.search(pattern, label):
            return target
    return ""


def main() -> None:
    only = {n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()}
    chosen = [b for b in BENCHES if not only or b[0] in only]
    admin = _admin()
    template = f"{PREFIX}_template"
    databases = sorted({f"{PREFIX}_{db}" for _n, _m, db, _s in chosen})
    started = time.perf_counter()
    summary: list[tuple[str, str, str, str]] = []
    timings: list[tuple[str, float, int]] = []
    try:
        _drop(admin, template)
        admin.execute(f'CREATE DATABASE "{template}"')
        base = dict(os.environ, DEBUG="false", DATABASE_URL=f"{PG}/{template}")
        base.setdefault("SECRET_KEY", "bench-" + os.urandom(24).hex())
        print(f"migrating the template database {template} …", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=base, check=True
        )
        for name in databases:
            _drop(admin, name)
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        for bench, module, db, sizes in chosen:
            env = dict(os.environ)
            for key, value in sizes.items():
                env.setdefault(key, value)
            env["DATABASE_URL"] = f"{PG}/{PREFIX}_{db}"
            shown = " ".join(f"{k}={env[k]}" for k in sizes)
            print(
                f"\n=== {bench}: python -m {module} ({shown}; load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            code, output, elapsed = _run(module, env)
            timings.append((bench, elapsed, code))
            figures = _figures(bench, output)
            if code != 0:
                summary.append((bench, "(failed)", f"exit {code}", ""))
            for label, figure in figures:
                summary.append((bench, label, figure, _target(bench, label)))
    finally:
        for name in [*databases, template]:
            try:
                _drop(admin, name)
            except psycopg.Error as exc:
                print(f"could not drop {name}: {exc}")
        admin.close()
    width = max((len(row[1]) for row in summary), default=20) + 2
    print(
        f"\n{'=' * 20} summary ({'full' if FULL else 'small'} sizes, "
        f"{time.perf_counter() - started:.0f} s in all, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    print(f"{'bench':<14}{'what':<{width}}{'figure':<40}target")
    for bench, label, figure, target in summary:
        print(f"{bench:<14}{label:<{width}}{figure:<40}{target}")
    print("times: " + ", ".join(f"{b} {t:.0f} s" + ("" if c == 0 else f" (exit {c})") for b, t, c in timings))
    if any(code for _b, _t, code in timings):
        sys.exit(1)


if __name__ == "__main__":
    main()
