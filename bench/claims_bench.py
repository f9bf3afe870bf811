"""Claim filing throughput and latency against gunicorn + PostgreSQL (not a test; prints its figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_bench python -m bench.claims_bench

Starts gunicorn on a free port with production-like settings (DEBUG off), creates one customer and API
token per client, then:
  1. files BENCH_CLAIMS claims without files from 8 concurrent clients (claims/s, p50/p95 latency);
  2. files BENCH_UPLOADS claims with one ~2 MB PNG screenshot (p50/p95 latency, 1 client and 8 clients).
The database should be a throwaway one: the bench migrates it and leaves its claims there.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
CLAIMS = int(os.environ.get("BENCH_CLAIMS", "3000"))
UPLOADS = int(os.environ.get("BENCH_UPLOADS", "60"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


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
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "API_THROTTLE_CLAIMS": "1000000/hour",
            "API_THROTTLE_USER": "1000000/min",
            "LOG_LEVEL": "WARNING",
            "MEDIA_ROOT": env.get("MEDIA_ROOT") or str(ROOT / "var" / "bench-media"),
        }
    )
    return env


def _setup() -> tuple[list[str], dict[str, str]]:
    env = _server_env()
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from contacts.models import Platform
    from helpdesk.api_tokens import api_token_issue
    from helpdesk.models import Role, User

    if not settings.DATABASE_IS_POSTGRES:
        sys.exit("The bench needs PostgreSQL: set DATABASE_URL to a throwaway database.")
    call_command("migrate", verbosity=0)
    Platform.objects.get_or_create(slug="xingyun", defaults={"name": "星云卡盟"})
    tokens = []
    for i in range(CLIENTS):
        user, _created = User.objects.get_or_create(
            email=f"bench-{i}@bench.claimdesk.invalid", defaults={"role": Role.CUSTOMER}
        )
        tokens.append(api_token_issue(user=user, otp_verified=True)[1])
    return tokens, env


def _start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "gunicorn", "helpdesk.wsgi", "-b", f"127.0.0.1:{port}",
        "-w", str(WORKERS), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def _claim_fields() -> dict[str, str]:
    return {
        "platform": "xingyun",
        "problem_type": "topup-not-credited",
        "order_number": f"B{uuid.uuid4().hex[:20]}",
        "product": "100元游戏点卡",
        "amount": "100.00",
        "payment_channel": "alipay",
        "paid_at": "2026-11-20T14:30:00+08:00",
        "description": "11月20日14:30购买100元游戏点卡，已付款，30分钟后仍未到账，订单显示“处理中”。",
        "desired_outcome": "reissue",
    }


def _post(port: int, token: str, body: bytes, content_type: str, key: bool) -> float:
    headers = {"Authorization": f"Token {token}", "Content-Type": content_type, "Accept-Language": "en"}
    if key:
        headers["Idempotency-Key"] = uuid.uuid4().hex
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/api/v1/claims/", body=body, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    if response.status != 201:
        raise RuntimeError(f"HTTP {response.status}: {payload[:300]!r}")
    return time.perf_counter() - started


def _json_body() -> tuple[bytes, str]:
    return json.dumps(_claim_fields()).encode(), "application/json"


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
        for name, value in _claim_fields().items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="screenshot.png"\r\n'
        f"Content-Type: image/png\r\n\r\n".encode()
        + png
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _run(
    port: int,
    tokens: list[str],
    total: int,
    clients: int,
    make_body: Callable[[], tuple[bytes, str]],
    key: bool = False,
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))
    errors: list[str] = []

    def client(index: int) -> None:
        token = tokens[index % len(tokens)]
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            body, content_type = make_body()
            try:
                elapsed = _post(port, token, body, content_type, key)
            except Exception as exc:
                errors.append(str(exc))
                return
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, e.g. {errors[0]}")
    return wall, latencies


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    tokens, env = _setup()
    port = _free_port()
    server = _start_server(env, port)
    try:
        _run(port, tokens, 100, CLIENTS, _json_body)  # warm-up: imports, connections
        print(f"claims without files: {CLAIMS} with {CLIENTS} clients, {WORKERS} gunicorn workers")
        for key in (False, True):
            wall, latencies = _run(port, tokens, CLAIMS, CLIENTS, _json_body, key)
            print(
                f"  {'with' if key else 'without'} Idempotency-Key: {CLAIMS / wall:.0f} claims/s "
                f"(target >= 200), p50 {_ms(latencies, 0.5):.1f} ms, p95 {_ms(latencies, 0.95):.1f} ms"
            )

        png = screenshot_png()
        print(f"claims with one {len(png) / 1024 / 1024:.2f} MB PNG screenshot ({UPLOADS} claims each)")

        def with_file() -> tuple[bytes, str]:
            return _multipart_body(png)

        for clients in (1, CLIENTS):
            wall, latencies = _run(port, tokens, UPLOADS, clients, with_file, True)
            print(
                f"  {clients} client(s): p50 {_ms(latencies, 0.5):.0f} ms, p95 {_ms(latencies, 0.95):.0f} ms "
                f"(target p95 <= 250 ms), {UPLOADS / wall:.1f} claims/s"
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=40)  # graceful: workers finish their requests (slow on a loaded machine)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
