"""Claim filing: CPU and queries per filing in process, then claims/s over HTTP (not a test; prints figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_bench CACHE_URL=redis://127.0.0.1:6379/15 \
      CELERY_BROKER_URL=redis://127.0.0.1:6379/15 python -m bench.claims_bench

Two filing paths, each the way a customer uses it (BENCH_PATHS=web,api, default both):
  web  the claim form, ``POST /claims/new/`` from a signed-in session (session cookie and CSRF token as a
       browser sends them: no sign-in per claim), answered by a redirect to the claim's page;
  api  ``POST /api/v1/claims/`` (JSON) with the customer's API token, answered 201 with the claim.
Each client is its own customer. Throttles are raised; DEBUG is off.

1. In process (BENCH_INPROCESS filings per path, default 300; 0 skips): through Django's test client, so
   the whole middleware stack runs. Prints queries per filing, CPU per filing (this process, and its
   PostgreSQL backend read from /proc) and wall p50: on a shared machine these are the stable figures.
   BENCH_PROFILE=1 adds cProfile's most expensive functions (by own time) per path.
2. Over HTTP (BENCH_CLAIMS per path, default 3000; 0 skips): gunicorn with BENCH_WORKERS sync workers
   (default 4) and BENCH_CLIENTS concurrent clients (default 8): claims/s, p50/p95/p99 latency and errors
   (any answer but the expected one, or a socket error; must be 0). The API also with Idempotency-Key.
3. BENCH_UPLOADS claims with one ~2 MB PNG screenshot through the API (default 60; 0 skips), from 1 and
   from BENCH_CLIENTS clients.

Target (issue 17): filing with 4 gunicorn workers and 8 clients, >= 300 claims/s. The clients run in this
process and share the machine with the server and PostgreSQL: note the load average printed with each figure.
The database should be a throwaway one: the bench migrates it and leaves its claims there.
"""

from __future__ import annotations

import cProfile
import http.client
import io
import json
import os
import pstats
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
CLAIMS = int(os.environ.get("BENCH_CLAIMS", "3000"))
UPLOADS = int(os.environ.get("BENCH_UPLOADS", "60"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
IN_PROCESS = int(os.environ.get("BENCH_INPROCESS", "300"))
PROFILE = os.environ.get("BENCH_PROFILE", "") not in ("", "0", "false")
PATHS = [p.strip() for p in os.environ.get("BENCH_PATHS", "web,api").split(",") if p.strip()]
TARGET = 300  # claims/s, issue 17


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "API_THROTTLE_CLAIMS": "100000000/hour",
            "API_THROTTLE_USER": "100000000/min",
            "LOG_LEVEL": "WARNING",
            "MEDIA_ROOT": env.get("MEDIA_ROOT") or str(ROOT / "var" / "bench-media"),
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        }
    )
    return env


@dataclass
class Customer:
    user_id: int
    token: str  # API token
    cookie: str = ""  # "sessionid=…; csrftoken=…" of a signed-in browser
    csrf: str = ""


@dataclass
class Setup:
    customers: list[Customer] = field(default_factory=list)
    form: dict[str, str] = field(default_factory=dict)  # the claim form's fields but the order number


def _setup(clients: int) -> Setup:
    env = _server_env()
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from contacts.models import Platform, ProblemType
    from helpdesk.api_tokens import api_token_issue
    from helpdesk.models import Role, User

    if not settings.DATABASE_IS_POSTGRES:
        sys.exit("The bench needs PostgreSQL: set DATABASE_URL to a throwaway database.")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off serves the hashed manifest
    platform, _created = Platform.objects.get_or_create(slug="xingyun", defaults={"name": "星云卡盟"})
    problem = ProblemType.objects.get(slug="topup-not-credited")
    setup = Setup()
    run = uuid.uuid4().hex[:6]  # new customers each run: their claims of an earlier run do not weigh
    for i in range(clients):
        user = User.objects.create(email=f"bench-{run}-{i}@bench.claimdesk.invalid", role=Role.CUSTOMER)
        browser = Client()
        browser.force_login(user)  # a session as a sign-in makes it; the bench never signs in per claim
        customer = Customer(user_id=user.pk, token=api_token_issue(user=user, otp_verified=True)[1])
        customer.cookie = f"sessionid={browser.cookies['sessionid'].value}"
        setup.customers.append(customer)
    setup.form = {
        "platform": str(platform.pk),
        "problem_type": str(problem.pk),
        "product": "100元游戏点卡",
        "amount": "100.00",
        "currency": "CNY",
        "payment_channel": "alipay",
        "paid_at": "2026-11-20 14:30",
        "description": "11月20日14:30购买100元游戏点卡，已付款，30分钟后仍未到账，订单显示“处理中”。",
        "desired_outcome": "reissue",
        "preferred_contact": "in_app",
    }
    return setup


def _order() -> str:
    return f"B{uuid.uuid4().hex[:20]}"


def _api_fields() -> dict[str, str]:
    return {
        "platform": "xingyun",
        "problem_type": "topup-not-credited",
        "order_number": _order(),
        "product": "100元游戏点卡",
        "amount": "100.00",
        "payment_channel": "alipay",
        "paid_at": "2026-11-20T14:30:00+08:00",
        "description": "11月20日14:30购买100元游戏点卡，已付款，30分钟后仍未到账，订单显示“处理中”。",
        "desired_outcome": "reissue",
    }


def _form_body(setup: Setup, csrf: str) -> bytes:
    fields = {**setup.form, "order_number": _order(), "csrfmiddlewaretoken": csrf}
    return urllib.parse.urlencode(fields).encode()


_FILED = re.compile(r"/claims/[A-Z0-9]+-\d{8}-[0-9A-Z]{6}/$")


# --- 1. in process ------------------------------------------------------------------------------------------
def _backend_cpu(pid: int) -> float:
    """CPU seconds of a PostgreSQL backend (the bench runs on the database's machine)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _calibration_ms() -> float:
    """CPU of a fixed Python loop: on a shared machine a core's speed varies with its neighbours' load, and
    CPU per filing scales with it; compare runs by CPU per filing relative to this figure."""
    started = time.process_time()
    total = 0
    for i in range(1_000_000):
        total += i
    return (time.process_time() - started) * 1000


def _in_process(setup: Setup, path: str, count: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    customer = setup.customers[0]
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    if path == "web":
        client.cookies.load(customer.cookie)
        if client.get("/claims/new/").status_code != 200:
            sys.exit("in process: the claim form did not answer 200")
        csrf = client.cookies["csrftoken"].value

        def file() -> None:
            response = client.post(
                "/claims/new/",
                _form_body(setup, csrf),
                content_type="application/x-www-form-urlencoded",
            )
            if response.status_code != 302 or not _FILED.search(response["Location"]):
                sys.exit(f"in process: filing answered {response.status_code} {response.get('Location')}")
            # A browser follows the redirect, which shows (and so drops) the flash message.
            client.cookies.pop("messages", None)
    else:
        headers = {"HTTP_AUTHORIZATION": f"Token {customer.token}"}

        def file() -> None:
            body = json.dumps(_api_fields())
            response = client.post("/api/v1/claims/", body, content_type="application/json", **headers)
            if response.status_code != 201:
                sys.exit(f"in process: filing answered {response.status_code} {response.content[:300]!r}")

    for _ in range(20):  # warm: imports, prepared caches, reference data, the broker connection
        file()
    with CaptureQueriesContext(connection) as captured:
        file()
    queries = [q["sql"] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    walls = []
    cpu_started, backend_started = time.process_time(), _backend_cpu(backend)
    for _ in range(count):
        started = time.perf_counter()
        file()
        walls.append(time.perf_counter() - started)
    cpu = (time.process_time() - cpu_started) * 1000 / count
    backend_cpu = (_backend_cpu(backend) - backend_started) * 1000 / count
    loop = statistics.median(_calibration_ms() for _ in range(5))
    print(
        f"  {path}: {len(queries)} queries per filing, CPU per filing {cpu:.2f} ms Python + "
        f"{backend_cpu:.2f} ms PostgreSQL backend, wall p50 {statistics.median(walls) * 1000:.1f} ms "
        f"({count} filings, load {os.getloadavg()[0]:.1f}; reference loop {loop:.0f} ms CPU, "
        f"Python CPU per filing = {cpu / loop:.2f} loops)",
        flush=True,
    )
    if PROFILE:
        for sql in queries:
            print(f"      {sql[:150]}")
        profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting for PostgreSQL
        profiler.enable()
        for _ in range(min(count, 200)):
            file()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue().split("\n", 4)[-1], flush=True)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        print(out.getvalue().split("\n", 4)[-1], flush=True)
        out = io.StringIO()  # the project's own functions
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(rf"^{ROOT}/(?!\.venv)", 40)
        print(out.getvalue().split("\n", 4)[-1], flush=True)


# --- 2. over HTTP -------------------------------------------------------------------------------------------
def _start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "gunicorn", "helpdesk.wsgi", "-b", f"127.0.0.1:{port}",
        "-w", str(WORKERS), "--log-level", "warning", "--preload", "--timeout", "60",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(600):  # a loaded machine may take a minute to start
        if server.poll() is not None:
            sys.exit("gunicorn exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def _request(port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("Location") or "", response.read()
    finally:
        conn.close()


def _fetch_csrf(port: int, customer: Customer) -> None:
    """GET the claim form once, as the browser did before its first filing: the CSRF cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", "/claims/new/", headers={"Cookie": customer.cookie})
        response = conn.getresponse()
        response.read()
        cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
    finally:
        conn.close()
    token = next((c.split(";", 1)[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken=")), "")
    if response.status != 200 or not token:
        sys.exit(f"could not get a CSRF token from /claims/new/ (HTTP {response.status})")
    customer.csrf = token
    customer.cookie += f"; csrftoken={token}"


Filer = Callable[[int, Customer], str]  # files one claim; "" or what went wrong


def _web_filer(setup: Setup) -> Filer:
    def file(port: int, customer: Customer) -> str:
        headers = {
            "Cookie": customer.cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept-Language": "zh-hans",
        }
        body = _form_body(setup, customer.csrf)
        status, location, answer = _request(port, "POST", "/claims/new/", headers, body)
        if status != 302 or not _FILED.search(location):
            return f"HTTP {status} {location} {answer[:200]!r}"
        return ""

    return file


def _api_filer(key: bool, make_body: Callable[[], tuple[bytes, str]] | None = None) -> Filer:
    def file(port: int, customer: Customer) -> str:
        if make_body is None:
            body, content_type = json.dumps(_api_fields()).encode(), "application/json"
        else:
            body, content_type = make_body()
        headers = {
            "Authorization": f"Token {customer.token}",
            "Content-Type": content_type,
            "Accept-Language": "en",
        }
        if key:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        status, _location, payload = _request(port, "POST", "/api/v1/claims/", headers, body)
        return "" if status == 201 else f"HTTP {status}: {payload[:200]!r}"

    return file


@dataclass
class Result:
    wall: float
    latencies: list[float]
    errors: list[str]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def line(self) -> str:
        return (
            f"{self.rate:.0f} claims/s (target >= {TARGET}), p50 {_ms(self.latencies, 0.5):.1f} ms, "
            f"p95 {_ms(self.latencies, 0.95):.1f} ms, p99 {_ms(self.latencies, 0.99):.1f} ms, "
            f"errors {len(self.errors)}{' e.g. ' + self.errors[0] if self.errors else ''}, "
            f"load {os.getloadavg()[0]:.1f}"
        )


def _run(port: int, customers: list[Customer], total: int, clients: int, file: Filer) -> Result:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def client(index: int) -> None:
        customer = customers[index % len(customers)]
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            started = time.perf_counter()
            try:
                problem = file(port, customer)
            except Exception as exc:
                problem = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - started
            with lock:
                (errors.append(problem) if problem else latencies.append(elapsed))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(time.perf_counter() - started, latencies, errors)


def _ms(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# --- 3. uploads ---------------------------------------------------------------------------------------------
def screenshot_png(target: int = 2 * 1024 * 1024) -> bytes:
    """A phone-screenshot-like PNG of about ``target`` bytes: flat UI blocks, text-like marks and a photo."""
    from PIL import Image, ImageDraw

    rng = random.Random(7)
    width, height = 1170, 2532
    image = Image.new("RGB", (width, height), (245, 246, 248))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 120):
        draw.rectangle((30, y + 10, width - 30, y + 100), fill=(255, 255, 255), outline=(220, 220, 225))
        for x in range(60, width - 200, 26):
            if rng.random() < 0.8:
                draw.rectangle((x, y + 40, x + 18, y + 64), fill=(40, 40, 40))
    # A photo-like block makes up the rest of the size (noise does not compress).
    side = 300
    while True:
        noisy = image.copy()
        noise = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        noisy.paste(noise, (100, 600))
        out = io.BytesIO()
        noisy.save(out, format="PNG")
        if out.tell() >= target or side > 1100:
            return out.getvalue()
        side += 40


def _multipart_body(png: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in _api_fields().items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="screenshot.png"\r\n'
        f"Content-Type: image/png\r\n\r\n".encode()
        + png
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main() -> None:
    setup = _setup(max(CLIENTS, 1))
    if IN_PROCESS:
        print(f"in process, {IN_PROCESS} filings per path (one customer, DEBUG off):", flush=True)
        for path in PATHS:
            _in_process(setup, path, IN_PROCESS)
    if not (CLAIMS or UPLOADS):
        return
    from django.db import connections

    connections.close_all()  # gunicorn's workers make their own
    env = dict(os.environ)
    port = _free_port()
    server = _start_server(env, port)
    failed = False
    try:
        if "web" in PATHS:
            for customer in setup.customers:
                _fetch_csrf(port, customer)
        filers: list[tuple[str, Filer]] = []
        if "web" in PATHS:
            filers.append(("web form, signed-in session", _web_filer(setup)))
        if "api" in PATHS:
            filers += [("API, token", _api_filer(False)), ("API, token + Idempotency-Key", _api_filer(True))]
        for _title, filer in filers:  # warm-up: every worker imports its views, opens its connections
            _run(port, setup.customers, 20 * WORKERS, CLIENTS, filer)
        if CLAIMS:
            print(f"over HTTP: {CLAIMS} claims per path, {CLIENTS} clients, {WORKERS} gunicorn workers")
            for title, filer in filers:
                result = _run(port, setup.customers, CLAIMS, CLIENTS, filer)
                failed |= bool(result.errors)
                print(f"  {title}: {result.line()}", flush=True)
        if UPLOADS:
            png = screenshot_png()
            print(f"claims with one {len(png) / 1024 / 1024:.2f} MB PNG screenshot ({UPLOADS} claims each)")
            filer = _api_filer(True, lambda: _multipart_body(png))
            for clients in (1, CLIENTS):
                result = _run(port, setup.customers, UPLOADS, clients, filer)
                failed |= bool(result.errors)
                print(
                    f"  {clients} client(s): p50 {_ms(result.latencies, 0.5):.0f} ms, "
                    f"p95 {_ms(result.latencies, 0.95):.0f} ms (target p95 <= 250 ms), "
                    f"{result.rate:.1f} claims/s, errors {len(result.errors)}",
                    flush=True,
                )
    finally:
        server.terminate()
        try:
            server.wait(timeout=40)  # graceful: workers finish their requests (slow on a loaded machine)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    if failed:
        sys.exit("some filings failed (errors above)")


if __name__ == "__main__":
    main()
