"""The test suite's entry to the settings: pytest-django loads this module (pyproject.toml names it as
DJANGO_SETTINGS_MODULE) and nothing else does.

Every value still lives in :mod:`helpdesk.settings`, the one environment-driven settings module; importing it
through this module is what switches on its test defaults (``TESTING``: fast password hashing, in-memory
e-mail and Celery broker, no HTTPS-only cookies or redirects, no start-up delays). Subprocesses a test starts
(a Celery worker, ``manage.py``) drop DJANGO_SETTINGS_MODULE and so run with the real defaults.

Under ``pytest -n N`` (pytest-xdist) each worker process gets its own share of what the workers would
otherwise fight over, before the settings read the environment (so the subprocesses a test starts inherit
it): Redis database *base + worker number* for the broker and the cache (tests flush the cache and count
the broker's keys), and its own ``VAR_DIR`` (media, the filesystem broker's folders). pytest-django suffixes
the test database's name with the worker id itself (``test_claimdesk_gw0``).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def _next_redis_db(url: str, offset: int) -> str:
    """``redis://host:6379/10`` with offset 1 → ``redis://host:6379/11`` (no database in the URL: 0)."""
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{db + offset}"))


def _isolate_xdist_worker(worker: str) -> None:
    offset = int(worker.removeprefix("gw"))
    for name in ("CELERY_BROKER_URL", "CACHE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("redis://", "rediss://")):
            os.environ[name] = _next_redis_db(url, offset)
    var_dir = os.environ.get("VAR_DIR") or str(Path(__file__).resolve().parent.parent / "var")
    os.environ["VAR_DIR"] = str(Path(var_dir) / "xdist" / worker)


if os.environ.get("PYTEST_XDIST_WORKER"):  # "gw0", "gw1", ...: set by xdist before the settings load
    _isolate_xdist_worker(os.environ["PYTEST_XDIST_WORKER"])

from helpdesk.settings import *  # noqa: E402, F403
