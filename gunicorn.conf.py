"""gunicorn for production: `gunicorn -c gunicorn.conf.py helpdesk.wsgi` (README, "Running it for real").

Sync workers, 2 x cores + 1 of them. Under a wave the queue is bounded (``backlog``): beyond it the kernel
refuses connections at once, so a load balancer retries elsewhere instead of requests ageing in a queue.
A request that runs longer than ``timeout`` is killed and its worker replaced. The desk (agents signed
in) runs as a second instance on its own port (``WEB_POOL=desk``, ``WEB_PORT``), so a public wave that
fills the public pool cannot starve it; the proxy sends the public paths to one and the rest to the other.
Every value can be overridden from the environment.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value and not value.isdigit():
        raise SystemExit(f"Environment variable {name}: expected a whole number, got {value!r}.")
    return int(value) if value else default


_pool = os.environ.get("WEB_POOL", "public")
if _pool not in ("public", "desk"):
    raise SystemExit(f"Environment variable WEB_POOL: expected 'public' or 'desk', got {_pool!r}.")
_cores = multiprocessing.cpu_count()

bind = os.environ.get("WEB_BIND", f"0.0.0.0:{_int('WEB_PORT', 8000 if _pool == 'public' else 8001)}")
workers = _int("WEB_WORKERS", 2 * _cores + 1 if _pool == "public" else _cores + 1)
worker_class = "sync"
# Bounded queue of accepted-but-not-served connections per instance.
backlog = _int("WEB_BACKLOG", 256)
timeout = _int("WEB_TIMEOUT", 30)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = _int("WEB_KEEPALIVE", 2)
# Recycle workers now and then (memory growth), not all at once.
max_requests = _int("WEB_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
# Load the application before forking: workers share its memory, a broken deploy fails at start.
preload_app = True
proc_name = f"claimdesk-{_pool}"
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "warning")
# Behind a proxy: let it say the original scheme and address (helpdesk settings decide what to trust).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
