"""A scam wave against the public side, with the desk at work (issue 19 item 3; not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_bench_wave .venv/bin/python -m bench.wave

Loopback only (database, Redis and load generator on 127.0.0.1; the script refuses anything else), bounded in
time. Uses ``bench.http_bench``'s set-up (throwaway database: migrate, demo directory, BENCH_HTTP_CLAIMS
claims, default 100,000; Redis cache flushed; gunicorn with 2 × cores + 1 workers or the project's
``gunicorn.conf.py``), but with the NORMAL throttles, and TRUSTED_PROXY_COUNT=1 so that the wave comes from
many addresses (X-Forwarded-For), as a wave from a million phones does:

  1. the sustainable rate R of the public mix (checker API: number, link, pasted SMS; platform page) at 32
     connections for WAVE_PROBE_SECONDS (default 10);
  2. WAVE_BEFORE seconds (default 10) of the desk alone: signed-in customers filing claims through the web
     form (WAVE_FILERS threads, one claim every WAVE_FILE_INTERVAL s each) and an agent reloading the queue
     page (every WAVE_AGENT_PAUSE s) — the "normal" latency;
  3. the wave: WAVE_FACTOR × R (default 5) offered for WAVE_SECONDS (default 60) by wrk over
     WAVE_CONNECTIONS connections (default 512) from WAVE_ADDRESSES addresses (default 100,000), of which
     WAVE_HOT_SHARE (default 10 %) from 5 addresses that run far beyond the limits; the desk keeps working;
  4. WAVE_AFTER seconds (default 30) of the desk alone again.

Prints the 5xx count (target 0), the 429 count and whether each 429 carried Retry-After, claims filed
(acknowledged by a redirect to the claim) against claims found in the database (no lost claims), the agent's
queue latency before/during/after and the time until it is back to normal after the wave (target <= 10 s).
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

from bench import http_bench as hb

FACTOR = float(os.environ.get("WAVE_FACTOR", "5"))
PROBE_SECONDS = float(os.environ.get("WAVE_PROBE_SECONDS", "10"))
BEFORE = float(os.environ.get("WAVE_BEFORE", "10"))
SECONDS = float(os.environ.get("WAVE_SECONDS", "60"))
AFTER = float(os.environ.get("WAVE_AFTER", "30"))
CONNECTIONS = int(os.environ.get("WAVE_CONNECTIONS", "512"))
ADDRESSES = int(os.environ.get("WAVE_ADDRESSES", "100000"))
HOT_SHARE = float(os.environ.get("WAVE_HOT_SHARE", "0.1"))
FILERS = int(os.environ.get("WAVE_FILERS", "2"))
FILE_INTERVAL = float(os.environ.get("WAVE_FILE_INTERVAL", "0.5"))
AGENT_PAUSE = float(os.environ.get("WAVE_AGENT_PAUSE", "0.2"))
CUSTOMERS = int(os.environ.get("WAVE_CUSTOMERS", "60"))  # each within API_THROTTLE_CLAIMS (30/hour)

PUBLIC_MIX = [
    ("checker: number", 40),
    ("checker: link", 15),
    ("checker: pasted SMS", 15),
    ("platform page", 30),
]


@dataclass
class Desk:
    """The signed-in side, run in threads next to the wave; every sample is (monotonic time, ...)."""

    port: int
    prepared: hb.Prepared
    stop: threading.Event = field(default_factory=threading.Event)
    queue: list[tuple[float, float, int]] = field(default_factory=list)  # (t, seconds, status)
    filings: list[tuple[float, int, str, bool]] = field(default_factory=list)  # (t, status, ref, retry-after)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_customer: int = 0

    def agent(self) -> None:
        cookie = {"Cookie": self.prepared.agents[0].cookie}
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                status = hb.request(self.port, "GET", "/agent/queue/", cookie)[0]
            except OSError as exc:
                status = 0
                self.failures.append(f"agent: {exc}")
            self.queue.append((started, time.monotonic() - started, status))
            self.stop.wait(AGENT_PAUSE)

    def filer(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                customer = self.next_customer % len(self.prepared.customers)
                self.next_customer += 1
            started = time.monotonic()
            try:
                status, reference, retry = hb.file_claim(
                    self.port, self.prepared, customer, uuid.uuid4().hex[:20]
                )
            except OSError as exc:
                status, reference, retry = 0, "", False
                self.failures.append(f"filing: {exc}")
            self.filings.append((started, status, reference, retry))
            self.stop.wait(FILE_INTERVAL)

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.agent, daemon=True)]
        threads += [threading.Thread(target=self.filer, daemon=True) for _ in range(FILERS)]
        for thread in threads:
            thread.start()
        return threads


def _ms(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def recovery_seconds(samples: list[tuple[float, float, int]], wave_end: float, normal: float) -> float | None:
    """Seconds after the wave until every agent request for the next 5 s is within ``normal``."""
    after = [(t, s) for t, s, _st in samples if t + s >= wave_end]
    for index, (t, _s) in enumerate(after):
        window = [s for u, s in after[index:] if u < t + 5]
        if all(s <= normal for s in window) and after[-1][0] >= t + 5:
            return max(0.0, t - wave_end)
    return None


def main() -> None:
    env = hb.server_env(raised=False, extra={"TRUSTED_PROXY_COUNT": "1"})
    hb.setup_django(env)
    from django.conf import settings
    from django.db import connection

    from tickets.models import Claim

    if connection.vendor != "postgresql":
        sys.exit("The wave needs PostgreSQL: set DATABASE_URL to a throwaway database.")
    seeded = hb.seed()
    prepared = hb.prepare(seeded, customers=CUSTOMERS, tag="wave")
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    print("throttles (normal): " + ", ".join(f"{k} {v}" for k, v in rates.items()))
    with hb.Server(env) as server:
        for identity in prepared.customers:
            hb.fetch_csrf(server.port, identity)
        probe = hb.write_lua(prepared, PUBLIC_MIX, ip_pool=ADDRESSES)
        try:
            hb.warm_up(server.port, probe)
            found = hb.wrk(server.port, probe, 32, PROBE_SECONDS)
        finally:
            probe.unlink()
        sustainable = found.count(200, 399) / found.seconds
        target = FACTOR * sustainable
        print(
            f"sustainable rate of the public mix at 32 connections: {sustainable:,.0f} req/s "
            f"(p50 {found.p50:.0f} ms, p99 {found.p99:.0f} ms; {sum(found.statuses.values()):,} responses, "
            f"429: {found.statuses.get(429, 0):,}); the wave offers {FACTOR:g} x = {target:,.0f} req/s "
            f"for {SECONDS:.0f} s over {CONNECTIONS} connections"
        )
        desk = Desk(server.port, prepared)
        threads = desk.start()
        time.sleep(BEFORE)
        interval_ms = CONNECTIONS / target * 1000 if target else 1000.0
        script = hb.write_lua(
            prepared, PUBLIC_MIX, interval_ms=interval_ms, ip_pool=ADDRESSES, hot_share=HOT_SHARE
        )
        wave_start = time.monotonic()
        try:
            # no draining: the recovery after the wave is what is measured, from the moment the load stops
            wave = hb.wrk(server.port, script, CONNECTIONS, SECONDS, timeout=30, drain=False)
        finally:
            script.unlink()
        wave_end = time.monotonic()
        time.sleep(AFTER)
        desk.stop.set()
        for thread in threads:
            thread.join(timeout=40)
    time.sleep(1)
    filed = [ref for _t, status, ref, _r in desk.filings if ref]
    in_db = set(
        Claim.objects.filter(customer_id__in=prepared.customer_ids).values_list("reference", flat=True)
    )
    lost = [ref for ref in filed if ref not in in_db]
    filing_statuses: dict[int, int] = {}
    for _t, status, _ref, _r in desk.filings:
        filing_statuses[status] = filing_statuses.get(status, 0) + 1
    filing_429_without = sum(1 for _t, status, _ref, retry in desk.filings if status == 429 and not retry)
    queue_5xx = sum(1 for _t, _s, status in desk.queue if status >= 500)
    timeouts = sum(1 for _t, _s, status in desk.queue if status == 0) + filing_statuses.get(0, 0)
    fivexx = wave.count(500, 599) + queue_5xx + sum(n for s, n in filing_statuses.items() if s >= 500)
    before = [s for t, s, _st in desk.queue if t < wave_start]
    during = [s for t, s, _st in desk.queue if wave_start <= t < wave_end]
    after = [s for t, s, _st in desk.queue if t >= wave_end]
    normal = (
        max(2 * statistics.median(before), sorted(before)[int(0.95 * (len(before) - 1))]) if before else 0.0
    )
    recovered = recovery_seconds(desk.queue, wave_end, normal)
    offered = sum(wave.statuses.values()) / wave.seconds
    print(
        f"\nwave: {FACTOR:g} x the sustainable rate for {SECONDS:.0f} s, normal throttles, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    rows = [
        (
            "public requests answered",
            f"{sum(wave.statuses.values()):,} ({offered:,.0f}/s; asked {target:,.0f}/s)",
            "",
        ),
        ("  by status", ", ".join(f"{s}: {n:,}" for s, n in sorted(wave.statuses.items())), ""),
        ("  socket errors / timeouts", ", ".join(f"{k} {v}" for k, v in wave.socket_errors.items()), ""),
        ("  latency p50 / p99", f"{wave.p50:.0f} / {wave.p99:.0f} ms", ""),
        ("5xx (public + desk)", f"{fivexx:,}", "0"),
        ("429", f"{wave.statuses.get(429, 0) + filing_statuses.get(429, 0):,}", "beyond the limits"),
        ("429 without Retry-After", f"{wave.no_retry_after + filing_429_without:,}", "0"),
        ("claims filed (acknowledged)", f"{len(filed):,}", ""),
        (
            "claims found in the database",
            f"{len([r for r in filed if r in in_db]):,} of those ({len(in_db):,} in all)",
            "all",
        ),
        ("lost claims", f"{len(lost):,}", "0"),
        ("filing answers", ", ".join(f"{s}: {n}" for s, n in sorted(filing_statuses.items())), ""),
        (
            "agent queue p50 / p95, before",
            f"{_ms(before, 0.5):.0f} / {_ms(before, 0.95):.0f} ms ({len(before)})",
            "",
        ),
        (
            "agent queue p50 / p95, during",
            f"{_ms(during, 0.5):.0f} / {_ms(during, 0.95):.0f} ms ({len(during)})",
            "",
        ),
        ("agent queue max, during", f"{_ms(during, 1.0):.0f} ms", ""),
        (
            "agent queue p50 / p95, after",
            f"{_ms(after, 0.5):.0f} / {_ms(after, 0.95):.0f} ms ({len(after)})",
            "",
        ),
        ("agent queue errors", f"{queue_5xx + sum(1 for _t, _s, st in desk.queue if 300 <= st < 500)}", "0"),
        ("desk requests timed out (30 s)", f"{timeouts}", "0"),
        (
            "back to normal after the wave",
            "never (within the run)" if recovered is None else f"{recovered:.1f} s",
            "<= 10 s",
        ),
    ]
    print(f"  {'what':<34}{'figure':<58}target")
    for name, figure, goal in rows:
        print(f"  {name:<34}{figure:<58}{goal}")
    print(f"  (normal = within {normal * 1000:.0f} ms: 2 x the p50 before the wave, or its p95 if higher)")
    if desk.failures:
        print(f"  client-side failures: {len(desk.failures)}, e.g. {desk.failures[0]}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
