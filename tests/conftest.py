"""Fixtures for the whole suite: test settings, catalogues, services and personas.

Helper functions live in tests/support/ (one module per area) and are imported from there, never from a
conftest.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

from helpdesk.models import Role, User
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.support.auth import current_code, totp_device
from tests.support.services import REQUIRE_SERVICES, missing_service


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    if not settings.TESTING:
        raise pytest.UsageError(
            "The suite runs on helpdesk.settings_test (pyproject.toml names it); "
            f"DJANGO_SETTINGS_MODULE is {os.environ.get('DJANGO_SETTINGS_MODULE')!r}: unset it."
        )
    if not hasattr(config, "workerinput"):  # the main process, before any xdist worker starts
        _compile_catalogues()


def _compile_catalogues() -> None:
    """Plain ``pytest`` on a fresh clone works: compile the catalogues (.po → .mo) that git does not keep,
    before the first test activates a language (only stale or missing ones are rebuilt). Under ``pytest -n``
    only the main process does it, before it starts the workers, so no two processes write the same file."""
    from django.core.management import call_command
    from django.utils.translation import trans_real

    call_command("compile_catalogues", verbosity=0, stdout=io.StringIO())
    trans_real._translations = {}


@pytest.fixture(scope="session", autouse=True)
def _services_promised(django_db_setup, django_db_blocker):
    if REQUIRE_SERVICES and connection.vendor != "postgresql":
        pytest.fail("REQUIRE_SERVICES=1 but the tests are not running on PostgreSQL: set DATABASE_URL.")


@pytest.fixture
def postgres(db) -> None:
    if connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk")


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis"):
        missing_service("needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis at {url} is not reachable: {exc}")
    return url


# --- Personas -------------------------------------------------------------------------------------------
@pytest.fixture
def customer(db) -> User:
    return UserFactory(email="alice@example.com", display_name="Alice")


@pytest.fixture
def other_customer(db) -> User:
    return UserFactory(email="bob@example.com", display_name="Bob")


@pytest.fixture
def agent(db) -> User:
    return StaffFactory(email="agent@example.com", role=Role.AGENT)


@pytest.fixture
def other_team_agent(db) -> User:
    return StaffFactory(email="agent-other@example.com", role=Role.AGENT)


@pytest.fixture
def supervisor(db) -> User:
    return StaffFactory(email="supervisor@example.com", role=Role.SUPERVISOR)


@pytest.fixture
def directory_admin(db) -> User:
    return StaffFactory(email="diradmin@example.com", role=Role.DIRECTORY_ADMIN)


@pytest.fixture
def second_directory_admin(db) -> User:
    return StaffFactory(email="diradmin2@example.com", role=Role.DIRECTORY_ADMIN)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def login_as(client: Client) -> Callable[[User], Client]:
    """Signs a persona in on the test client, passing TOTP for staff, as the real flow does."""

    def _login(user: User) -> Client:
        client.force_login(user)
        if user.is_staff_role:
            device = totp_device(user)
            response = client.post("/accounts/2fa/", {"otp_token": current_code(device)})
            assert response.status_code == 302, response.content
        return client

    return _login


# --- A real HTTP peer on loopback (webhooks, SMS gateway) -------------------------------------------------
class HttpReceiver:
    """Records POSTs; answers with the queued status codes in order, then 204."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.received: list[dict] = []
        self.statuses: list[int] = []


@pytest.fixture
def http_receiver(settings):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    state: dict[str, HttpReceiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            receiver = state["receiver"]
            receiver.received.append(
                {"body": self.rfile.read(length), "headers": dict(self.headers), "path": self.path}
            )
            self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = HttpReceiver(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    yield state["receiver"]
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (helpdesk/ratelimit.py) and cached reads must not leak between tests."""
    from django.core.cache import cache

    from contacts import answer_cache

    cache.clear()
    answer_cache.clear()  # the per-process level of the public answers (contacts/answer_cache.py)
    yield
    cache.clear()
    answer_cache.clear()
