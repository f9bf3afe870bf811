"""End-to-end HTTP benchmark: gunicorn + PostgreSQL + Redis, a realistic mix driven by wrk (not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_bench_http .venv/bin/python -m bench.http_bench

Everything stays on loopback: the database, Redis and the load generator must be on 127.0.0.1 / localhost
(the script refuses anything else). The database should be a throwaway one: the bench migrates it, seeds the
demo directory and BENCH_HTTP_CLAIMS claims (default 100,000, about a third open; ``bench.queue_bench``'s
set-based seeding) and leaves them there for the next run. The Redis cache database is flushed at start.

Starts gunicorn (the project's ``gunicorn.conf.py`` if there is one, otherwise 2 × cores + 1 sync workers)
on a free loopback port with DEBUG off and the throttles raised, then drives the mix with wrk (Debian's
``/usr/bin/wrk``; a generated Lua script picks each request by weight and signs requests in with session
cookies made beforehand):

  anonymous  checker API (a number, a link, a pasted SMS), platform pages, the home page
  agents     queue page HTML (25 and 50 rows), queue API (50 rows), "mine", the ticket workspace
  customers  their claim list, filing a claim through the web form (POST with the CSRF token)

at BENCH_HTTP_LEVELS concurrent connections (default 8,32,128) for BENCH_HTTP_SECONDS each (default 15):
requests/s, p50/p95/p99 latency, responses by status and errors (any status >= 400 other than 429, socket
errors and timeouts; must be 0). Then each public endpoint alone at 32 connections for
BENCH_HTTP_ENDPOINT_SECONDS (default 5; issue 19's method, /healthz as the floor of the same run; 0 skips),
and the workers' RSS before and after BENCH_HTTP_RSS_REQUESTS requests (default 20,000; topped up with the
mix at 32 connections if the runs above served fewer). gunicorn is always stopped, also on Ctrl-C.

Other settings: BENCH_HTTP_WORKERS (gunicorn workers when there is no config), CACHE_URL and
CELERY_BROKER_URL (default redis://127.0.0.1:6379/9 and /8), BENCH_WRK (path to wrk), BENCH_HTTP_WARMUP
(seconds of the mix before measuring, default 10: every worker's first requests import views and tables).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEVELS = [int(n) for n in os.environ.get("BENCH_HTTP_LEVELS", "8,32,128").split(",") if n.strip()]
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "15"))
ENDPOINT_SECONDS = float(os.environ.get("BENCH_HTTP_ENDPOINT_SECONDS", "5"))
CLAIMS = int(os.environ.get("BENCH_HTTP_CLAIMS", "100000"))
RSS_REQUESTS = int(os.environ.get("BENCH_HTTP_RSS_REQUESTS", "20000"))
WORKERS = int(os.environ.get("BENCH_HTTP_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
WARMUP = float(os.environ.get("BENCH_HTTP_WARMUP", "10"))
WRK = os.environ.get("BENCH_WRK", shutil.which("wrk") or "/usr/bin/wrk")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
RAISED = "100000000/min"
AGENTS_SIGNED_IN = 8
CUSTOMERS_SIGNED_IN = 16

# (kind, weight %) of the load mix; the kinds are filled in by _prepare().
MIX = [
    ("checker: number", 18),
    ("checker: link", 8),
    ("checker: pasted SMS", 8),
    ("platform page", 14),
    ("home page", 6),
    ("agent: queue HTML 25", 10),
    ("agent: queue HTML 50", 4),
    ("agent: queue API 50", 6),
    ("agent: queue mine", 4),
    ("agent: workspace", 10),
    ("customer: claim list", 6),
    ("customer: file claim (POST)", 6),
]

SMS = (
    "【星云卡盟】尊敬的用户，您的订单异常，充值未到账，请立即联系客服 400-612-3456 或访问 "
    "https://kf.xingyunka.cn/chat 办理退款，逾期将冻结账户。客服QQ 80012345，回复TD退订"
)


def require_loopback(url: str, what: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        sys.exit(f"{what} must point at loopback (127.0.0.1/localhost), not {host or url!r}.")


def server_env(*, raised: bool, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment shared by this process (sessions, seeding) and gunicorn (same SECRET_KEY)."""
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STAFF_2FA_REQUIRED": "false",
            "LOG_LEVEL": "WARNING",
            "CACHE_URL": env.get("CACHE_URL") or "redis://127.0.0.1:6379/9",
            "CELERY_BROKER_URL": env.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/8",
            "MEDIA_ROOT": env.get("MEDIA_ROOT") or str(ROOT / "var" / "bench-media"),
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        }
    )
    if raised:
        for name in ("ANON", "USER", "CHECKER", "PLATFORM", "AUTH"):
            env[f"API_THROTTLE_{name}"] = RAISED
        env["API_THROTTLE_CLAIMS"] = "100000000/hour"
    env.update(extra or {})
    require_loopback(env.get("DATABASE_URL", ""), "DATABASE_URL")
    require_loopback(env["CACHE_URL"], "CACHE_URL")
    require_loopback(env["CELERY_BROKER_URL"], "CELERY_BROKER_URL")
    return env


@dataclass
class Identity:
    cookie: str  # "sessionid=…; csrftoken=…"
    csrf: str = ""


@dataclass
class Prepared:
    platform_slugs: list[str]
    numbers: list[str]
    links: list[str]
    workspace: list[tuple[int, str]]  # (agent index, path)
    agents: list[Identity] = field(default_factory=list)
    customers: list[Identity] = field(default_factory=list)
    claim_form: dict[str, str] = field(default_factory=dict)
    customer_ids: list[int] = field(default_factory=list)


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(claims: int = CLAIMS) -> dict[str, object]:
    """Migrate, the demo directory and accounts, ``claims`` claims (set-based), 50 events on a workspace."""
    from django.core.cache import cache
    from django.core.management import call_command

    from bench.queue_bench import _seed

    seeded = _seed(claims)
    call_command("seed_demo", verbosity=0)
    cache.clear()  # throttle counters and cached answers of an earlier run
    return seeded


def prepare(seeded: dict[str, object], customers: int = CUSTOMERS_SIGNED_IN, tag: str = "http") -> Prepared:
    """Signed-in identities (sessions made in-process) and the URLs of the mix."""
    from django.test import Client

    from bench.queue_bench import _workspace_claim
    from contacts.models import ContactChannel, Platform, ProblemType
    from helpdesk.models import Role, User
    from tickets.models import Claim

    platforms = list(
        Platform.objects.filter(slug__in=["xingyun", "jisu", "haoka", "leyou", "youpin"]).values_list(
            "slug", flat=True
        )
    ) or list(Platform.objects.exclude(slug__startswith="bench-").values_list("slug", flat=True)[:5])
    values = list(ContactChannel.objects.values_list("kind", "value")[:200])
    numbers = [v for k, v in values if any(c.isdigit() for c in v) and "@" not in v and "/" not in v][:10]
    links = [v for k, v in values if v.startswith("http")][:10]
    if not numbers:
        numbers = ["400-612-3456"]
    if not links:
        links = ["https://kf.xingyunka.cn/chat"]
    agents = list(seeded["agents"])[:AGENTS_SIGNED_IN]  # type: ignore[call-overload]
    teams = list(seeded["teams"])  # type: ignore[call-overload]
    workspace = [(0, f"/agent/tickets/{_workspace_claim(agents[0], teams[0])}/")]
    for index, _agent in enumerate(agents):
        team = teams[index % len(teams)]  # queue_bench puts agent n in team n mod 5
        # the agent pages upper-case the reference; some seeded ones have lower-case hex digits
        refs = (
            Claim.objects.filter(team=team, status__in=["new", "open"], reference__regex=r"^[A-Z0-9-]+$")
            .order_by("-id")
            .values_list("reference", flat=True)[:3]
        )
        workspace += [(index, f"/agent/tickets/{ref}/") for ref in refs]
    prepared = Prepared(platform_slugs=platforms, numbers=numbers, links=links, workspace=workspace)
    for agent in agents:
        client = Client()
        client.force_login(agent)
        prepared.agents.append(Identity(cookie=f"sessionid={client.cookies['sessionid'].value}"))
    run = uuid.uuid4().hex[:6]
    for i in range(customers):
        user = User.objects.create(
            email=f"bench-{tag}-{run}-{i}@bench.claimdesk.invalid",
            role=Role.CUSTOMER,
            display_name=f"客户{i}",
        )
        prepared.customer_ids.append(user.pk)
        client = Client()
        client.force_login(user)
        prepared.customers.append(Identity(cookie=f"sessionid={client.cookies['sessionid'].value}"))
    platform = Platform.objects.get(slug=platforms[0])
    problem = ProblemType.objects.filter(is_active=True).order_by("sort_order").first()
    assert problem is not None
    prepared.claim_form = {
        "platform": str(platform.pk),
        "problem_type": str(problem.pk),
        "product": "100元游戏点卡",
        "amount": "100.00",
        "currency": "CNY",
        "payment_channel": "alipay",
        "paid_at": "2026-11-20 14:30",
        "description": "11月20日14:30购买100元游戏点卡，已付款，30分钟后仍未到账，订单显示“处理中”。",
        "desired_outcome": "refund",
        "preferred_contact": "in_app",
    }
    return prepared


def fetch_csrf(port: int, identity: Identity) -> None:
    """GET the claim form once: the CSRF cookie the customer's POSTs carry (cookie + X-CSRFToken)."""
    status, headers, _body = request(port, "GET", "/claims/new/", {"Cookie": identity.cookie})
    token = ""
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("csrftoken="):
            token = value.split(";", 1)[0].split("=", 1)[1]
    if status != 200 or not token:
        sys.exit(f"could not get a CSRF token from /claims/new/ (HTTP {status})")
    identity.csrf = token
    identity.cookie += f"; csrftoken={token}"


def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Accept-Language": "zh-hans", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def claim_body(form: dict[str, str], csrf: str, order: str) -> bytes:
    return urllib.parse.urlencode({**form, "csrfmiddlewaretoken": csrf, "order_number": order}).encode()


def file_claim(port: int, prepared: Prepared, customer: int, order: str) -> tuple[int, str, bool]:
    """POST the web form; (status, the claim's reference if filed, whether a 429 carried Retry-After)."""
    identity = prepared.customers[customer]
    status, headers, _body = request(
        port,
        "POST",
        "/claims/new/",
        {
            "Cookie": identity.cookie,
            "X-CSRFToken": identity.csrf,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        claim_body(prepared.claim_form, identity.csrf, order),
    )
    location = {k.lower(): v for k, v in headers}.get("location", "")
    match = re.search(r"/claims/([^/]+)/$", location)
    reference = match.group(1) if status == 302 and match and match.group(1) != "new" else ""
    retry_after = any(k.lower() == "retry-after" for k, _v in headers)
    return status, reference, retry_after


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gunicorn_command(port: int, workers: int = WORKERS, extra: list[str] | None = None) -> list[str]:
    command = [sys.executable, "-m", "gunicorn", "helpdesk.wsgi", "-b", f"127.0.0.1:{port}"]
    config = ROOT / "gunicorn.conf.py"
    if config.exists():
        command += ["-c", str(config)]
    else:
        command += ["-w", str(workers), "--log-level", "warning"]
    return command + (extra or [])


class Server:
    """gunicorn in its own process group; stopped on exit, on Ctrl-C and on SIGTERM."""

    def __init__(self, env: dict[str, str], workers: int = WORKERS, extra: list[str] | None = None) -> None:
        self.port = free_port()
        env = {**env, "WEB_CONCURRENCY": str(workers)}
        self.process = subprocess.Popen(
            gunicorn_command(self.port, workers, extra), cwd=ROOT, env=env, start_new_session=True
        )
        self._previous = signal.signal(signal.SIGTERM, self._on_term)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn exited at start-up")
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise SystemExit("gunicorn did not start")
        time.sleep(1)  # let every worker boot

    def _on_term(self, *_args: object) -> None:
        self.stop()
        raise SystemExit(143)

    def workers(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return sorted(pids)

    def rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.workers():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
            except OSError:
                continue
        return sizes

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            except ProcessLookupError:
                pass
        signal.signal(signal.SIGTERM, self._previous)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


# ---- wrk --------------------------------------------------------------------------------------------------

LUA = r"""
-- generated by bench/http_bench.py
local kinds = %(kinds)s
local slots = %(slots)s
local agents = %(agents)s
local customers = %(customers)s
local claim_form = %(claim_form)s
local budget = %(budget)d
local interval_ms = %(interval_ms)f
local ip_pool = %(ip_pool)d
local hot_share = %(hot_share)f
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  noretry = 0
  served = 0
  math.randomseed(os.time() * 1000 + (id or 0))
  for _, kind in ipairs(kinds) do
    kind.raw = {}
    if not kind.post then
      for _, p in ipairs(kind.paths) do
        local headers = {["Accept-Language"] = "zh-hans"}
        if kind.who == "agent" then headers["Cookie"] = agents[p[1]].cookie end
        if kind.who == "customer" then headers["Cookie"] = customers[p[1]].cookie end
        table.insert(kind.raw, {p[2], headers})
      end
    end
  end
end

local function client_ip()
  if ip_pool <= 0 then return nil end
  if math.random() < hot_share then return "10.255.0." .. math.random(1, 5) end
  local n = math.random(1, ip_pool)
  return "10." .. (math.floor(n / 65536) %% 256) .. "." .. (math.floor(n / 256) %% 256) .. "." .. (n %% 256)
end

function request()
  local kind = kinds[slots[math.random(#slots)]]
  local ip = client_ip()
  if kind.post then
    counter = counter + 1
    local c = customers[math.random(#customers)]
    local order = "W" .. (id or 0) .. "x" .. counter .. "x" .. math.random(1, 1000000000)
    local headers = {
      ["Accept-Language"] = "zh-hans", ["Cookie"] = c.cookie, ["X-CSRFToken"] = c.csrf,
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }
    if ip then headers["X-Forwarded-For"] = ip end
    return wrk.format("POST", kind.path, headers,
      claim_form .. "&csrfmiddlewaretoken=" .. c.csrf .. "&order_number=" .. order)
  end
  local r = kind.raw[math.random(#kind.raw)]
  local headers = r[2]
  if ip and kind.who == "anon" then
    headers = {["Accept-Language"] = "zh-hans", ["X-Forwarded-For"] = ip}
  end
  return wrk.format("GET", r[1], headers)
end

if interval_ms > 0 then
  function delay()
    return math.random() * 2 * interval_ms
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 429 and headers["Retry-After"] == nil and headers["retry-after"] == nil then
    noretry = noretry + 1
  end
  served = served + 1
  if budget > 0 and served >= budget then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
  local merged, missing = {}, 0
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do merged[s] = (merged[s] or 0) + n end
    missing = missing + t:get("noretry")
  end
  for s, n in pairs(merged) do io.write(string.format("STATUS %%d %%d\n", s, n)) end
  io.write(string.format("NORETRY %%d\n", missing))
end
"""


def _lua_str(value: str) -> str:
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:?=&%;, +"
    return '"' + "".join(chr(b) if b in safe else f"\\{b:03d}" for b in value.encode()) + '"'


def kind_table(prepared: Prepared, names: list[str]) -> list[dict[str, object]]:
    """The requests of each kind of the mix (paths already URL-encoded)."""
    quote = urllib.parse.quote
    checker = "/api/v1/check/?q="
    customers = range(1, len(prepared.customers) + 1)
    table: dict[str, dict[str, object]] = {
        "healthz": {"who": "anon", "paths": [[0, "/healthz"]]},
        "checker: number": {"who": "anon", "paths": [[0, checker + quote(n)] for n in prepared.numbers]},
        "checker: link": {"who": "anon", "paths": [[0, checker + quote(u, safe="")] for u in prepared.links]},
        "checker: pasted SMS": {"who": "anon", "paths": [[0, checker + quote(SMS)]]},
        "platform page": {"who": "anon", "paths": [[0, f"/platforms/{s}/"] for s in prepared.platform_slugs]},
        "home page": {"who": "anon", "paths": [[0, "/"]]},
        "agent: queue HTML 25": {
            "who": "agent",
            "paths": [[a, "/agent/queue/"] for a in range(1, len(prepared.agents) + 1)],
        },
        "agent: queue HTML 50": {
            "who": "agent",
            "paths": [[a, "/agent/queue/?size=50"] for a in range(1, len(prepared.agents) + 1)],
        },
        "agent: queue API 50": {
            "who": "agent",
            "paths": [[a, "/api/v1/agent/queue/?size=50"] for a in range(1, len(prepared.agents) + 1)],
        },
        "agent: queue mine": {
            "who": "agent",
            "paths": [[a, "/agent/queue/?mine=on"] for a in range(1, len(prepared.agents) + 1)],
        },
        "agent: workspace": {"who": "agent", "paths": [[a + 1, p] for a, p in prepared.workspace]},
        "customer: claim list": {"who": "customer", "paths": [[c, "/claims/"] for c in customers]},
        "customer: file claim (POST)": {"who": "customer", "post": True, "path": "/claims/new/"},
    }
    return [table[name] for name in names]


def write_lua(
    prepared: Prepared,
    mix: list[tuple[str, int]],
    *,
    budget: int = 0,
    interval_ms: float = 0.0,
    ip_pool: int = 0,
    hot_share: float = 0.0,
) -> Path:
    names = [name for name, _w in mix]
    kinds = kind_table(prepared, names)
    slots = [i + 1 for i, (_name, weight) in enumerate(mix) for _ in range(weight)]
    form = urllib.parse.urlencode(prepared.claim_form)
    source = LUA % {
        "kinds": _luaify(kinds),
        "slots": _luaify(slots),
        "agents": _luaify([{"cookie": a.cookie} for a in prepared.agents] or [{"cookie": ""}]),
        "customers": _luaify([{"cookie": c.cookie, "csrf": c.csrf} for c in prepared.customers] or [{}]),
        "claim_form": _lua_str(form),
        "budget": budget,
        "interval_ms": interval_ms,
        "ip_pool": ip_pool,
        "hot_share": hot_share,
    }
    handle, name = tempfile.mkstemp(prefix="claimdesk-bench-", suffix=".lua")
    with os.fdopen(handle, "w") as out:
        out.write(source)
    return Path(name)


def _luaify(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_luaify(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_luaify(v) for v in value) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return _lua_str(str(value))


@dataclass
class WrkResult:
    connections: int
    requests: int = 0
    seconds: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    socket_errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    no_retry_after: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        bad = sum(n for s, n in self.statuses.items() if s >= 400 and s != 429)
        return bad + sum(self.socket_errors.values())

    def count(self, low: int, high: int) -> int:
        return sum(n for s, n in self.statuses.items() if low <= s <= high)


def wrk(
    port: int,
    script: Path,
    connections: int,
    seconds: float,
    threads: int = 2,
    timeout: float = 10.0,
    drain: bool = True,
) -> WrkResult:
    threads = max(1, min(threads, connections))
    command = [
        WRK, "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
        "--timeout", f"{timeout:.0f}s", "-s", str(script), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    result = WrkResult(connections=connections)
    for line in completed.stdout.splitlines():
        parts = line.split()
        if parts[:1] == ["RESULT"]:
            numbers = [int(p) for p in parts[1:]]
            result.requests, duration = numbers[0], numbers[1]
            result.seconds = duration / 1e6
            result.p50, result.p95, result.p99, result.max = (n / 1000 for n in numbers[2:6])
            result.socket_errors = dict(
                zip(("connect", "read", "write", "timeout"), numbers[6:10], strict=True)
            )
        elif parts[:1] == ["STATUS"]:
            result.statuses[int(parts[1])] = int(parts[2])
        elif parts[:1] == ["NORETRY"]:
            result.no_retry_after = int(parts[1])
    if not result.seconds:
        raise SystemExit(f"wrk failed: {completed.stdout}\n{completed.stderr}")
    if drain:
        settle(port)
    return result


def settle(port: int, limit: float = 180.0) -> None:
    """Wait until the requests wrk left in gunicorn's accept queue are served (sync workers still answer
    connections wrk has closed), so that they do not count against the next run: /healthz answers fast."""
    deadline = time.monotonic() + limit
    fast = 0
    while fast < 2 and time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            request(port, "GET", "/healthz")
        fast = fast + 1 if time.monotonic() - started < 0.5 else 0
        time.sleep(0.2)


def warm_up(port: int, script: Path) -> None:
    """Each worker imports its views, templates and the checker's tables on first use: not measured."""
    if WARMUP > 0:
        wrk(port, script, 16, WARMUP)


def print_level(title: str, result: WrkResult) -> None:
    statuses = ", ".join(f"{s}: {n:,}" for s, n in sorted(result.statuses.items()))
    sockets = ", ".join(f"{k} {v}" for k, v in result.socket_errors.items() if v) or "none"
    print(f"\n{title}")
    print(f"  {'requests/s':<22}{result.rate:10,.0f}   ({result.requests:,} in {result.seconds:.1f} s)")
    print(f"  {'latency p50':<22}{result.p50:10.1f} ms")
    print(f"  {'latency p95':<22}{result.p95:10.1f} ms")
    print(f"  {'latency p99':<22}{result.p99:10.1f} ms   (max {result.max:.0f} ms)")
    print(f"  {'responses':<22}{statuses}")
    print(f"  {'errors':<22}{result.errors:10,}   (socket errors: {sockets}; target 0)")
    print(f"  {'load average':<22}{os.getloadavg()[0]:10.2f}")


def preflight(port: int, prepared: Prepared, names: list[str]) -> None:
    """One request of each kind, so a broken mix fails loudly instead of measuring error pages."""
    for name, kind in zip(names, kind_table(prepared, names), strict=True):
        if kind.get("post"):
            status, reference, _r = file_claim(port, prepared, 0, f"PRE{uuid.uuid4().hex[:12]}")
            if not reference:
                sys.exit(f"preflight: filing a claim answered HTTP {status}, not a redirect to the claim")
            continue
        for index, path in kind["paths"][:3]:  # type: ignore[index]
            people = prepared.agents if kind["who"] == "agent" else prepared.customers
            headers = {"Cookie": people[index - 1].cookie} if kind["who"] != "anon" else {}
            status, _h, body = request(port, "GET", path, headers)
            if status != 200:
                sys.exit(f"preflight: {name} {path} answered HTTP {status}: {body[:300]!r}")


def main() -> None:
    if not Path(WRK).exists():
        sys.exit(f"wrk not found ({WRK}); apt-get install wrk, or set BENCH_WRK.")
    env = server_env(raised=True)
    setup_django(env)
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The HTTP bench needs PostgreSQL: set DATABASE_URL to a throwaway database.")
    started = time.perf_counter()
    seeded = seed()
    prepared = prepare(seeded)
    names = [name for name, _w in MIX]
    print(f"seeded and signed in in {time.perf_counter() - started:.0f} s")
    with Server(env) as server:
        for identity in prepared.customers:
            fetch_csrf(server.port, identity)
        preflight(server.port, prepared, names)
        workers = server.workers()
        config = "gunicorn.conf.py" if (ROOT / "gunicorn.conf.py").exists() else "flags"
        print(
            f"gunicorn: {len(workers)} workers ({config}) on 127.0.0.1:{server.port}; {os.cpu_count()} CPUs; "
            f"mix: " + ", ".join(f"{n} {w}%" for n, w in MIX)
        )
        script = write_lua(prepared, MIX)
        try:
            warm_up(server.port, script)
            rss_before, pids_before = server.rss_mb(), set(server.workers())
            served = 0
            for level in LEVELS:
                result = wrk(server.port, script, level, SECONDS)
                served += result.requests
                print_level(f"mix at {level} connections, {SECONDS:.0f} s", result)
            if ENDPOINT_SECONDS > 0:
                print(f"\npublic endpoints alone, 32 connections, {ENDPOINT_SECONDS:.0f} s each")
                print(f"  {'endpoint':<24}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'x floor':>9}")
                floor = 0.0
                for name in (
                    "healthz",
                    "checker: number",
                    "checker: pasted SMS",
                    "platform page",
                    "home page",
                ):
                    alone = write_lua(prepared, [(name, 1)])
                    try:
                        result = wrk(server.port, alone, 32, ENDPOINT_SECONDS)
                    finally:
                        alone.unlink()
                    served += result.requests
                    floor = floor or result.rate
                    print(
                        f"  {name:<24}{result.rate:8,.0f}{result.p50:9.1f}{result.p99:9.1f}"
                        f"{result.errors:8}{result.rate / floor if floor else 0:9.2f}"
                    )
            if served < RSS_REQUESTS:
                budget = -(-(RSS_REQUESTS - served) // 2)  # per wrk thread
                topped = write_lua(prepared, MIX, budget=budget)
                try:
                    result = wrk(server.port, topped, 32, 600)
                finally:
                    topped.unlink()
                served += result.requests
            rss_after, replaced = server.rss_mb(), len(set(server.workers()) - pids_before)
        finally:
            script.unlink()
        print(f"\nworker RSS before and after {served:,} requests ({len(rss_after)} workers)")
        for label, sizes in (("before:", rss_before), ("after: ", rss_after)):
            each = ", ".join(f"{v:.0f}" for v in sizes)
            print(f"  {label} total {sum(sizes):.0f} MB, per worker {each}")
        print(f"  growth: {sum(rss_after) - sum(rss_before):+.0f} MB")
        if replaced:
            print(
                f"  ({replaced} worker(s) replaced meanwhile, e.g. WORKER TIMEOUT: their growth is not seen)"
            )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
