from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from helpdesk.env import Env

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k3!x9#Lq2@vR7$wT1^zY5&bN8*cM4(dF6)gH0_jK-pQ+sU=eW~aZ",
    "ALLOWED_HOSTS": "claimdesk.example.com",
    "SITE_URL": "https://claimdesk.example.com",
    "DATABASE_URL": "postgres://claimdesk@db.internal:5432/claimdesk",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and not k.startswith("PYTEST")}
    for leaked in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"):
        clean.pop(leaked, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("method", "value", "message"),
    [
        ("boolean", "ture", "expected one of true/false"),
        ("integer", "ten", "expected a whole number"),
        ("duration", "15 minutes", "expected a duration"),
        ("url", "localhost:6379", "expected a URL starting with redis://"),
    ],
)
def test_it_rejects_bad_values_naming_the_variable(method, value, message):
    env = Env({"SOME_VAR": value})
    reader = getattr(env, method)
    args = {"boolean": (False,), "integer": (1,), "duration": (timedelta(),), "url": ("", ("redis",))}[method]
    with pytest.raises(ImproperlyConfigured, match=message) as excinfo:
        reader("SOME_VAR", *args)
    assert "SOME_VAR" in str(excinfo.value)


def test_it_parses_good_values():
    env = Env({"B": "Yes", "I": "42", "D": "15m", "L": "a, b,,c", "BLANK": "  "})
    assert env.boolean("B", False) is True
    assert env.integer("I", 0, minimum=1) == 42
    assert env.duration("D", timedelta()) == timedelta(minutes=15)
    assert env.strings("L") == ["a", "b", "c"]
    assert env.string("BLANK", "fallback") == "fallback"
    with pytest.raises(ImproperlyConfigured, match=">= 50"):
        env.integer("I", 0, minimum=50)


def test_deploy_check_is_clean_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_startup_fails_clearly_on_a_bad_variable():
    result = run_manage("check", env={**PRODUCTION_ENV, "DB_CONN_MAX_AGE": "forever"})
    assert result.returncode == 2
    assert "DB_CONN_MAX_AGE" in result.stderr and "whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_scam_report_rate_stops_start_up_not_a_report():
    """Read by the strict rate reader at start-up (it used to be split at the first report: a 500)."""
    result = run_manage("check", env={**PRODUCTION_ENV, "SCAM_REPORT_RATE": "ten an hour"})
    assert result.returncode == 2
    assert "SCAM_REPORT_RATE" in result.stderr and "Traceback" not in result.stderr


def test_secret_key_is_required_outside_debug():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode == 2
    assert "SECRET_KEY is required" in result.stderr


def test_offline_tooling_runs_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_it_refuses_an_unknown_database_scheme():
    result = run_manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": "mysql://x@y/z"})
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr


def test_the_suite_runs_on_the_test_settings(settings):
    assert settings.TESTING
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_entry_points_never_run_in_test_mode_even_with_pytest_imported():
    """Test mode is chosen by loading helpdesk.settings_test, not guessed from what a process imported: the
    web (wsgi/asgi), Celery and manage.py processes load helpdesk.settings and keep the real defaults."""
    probe = (
        "import pytest, helpdesk.wsgi, helpdesk.asgi, helpdesk.celery\n"
        "from django.conf import settings\n"
        "print('TESTING', settings.TESTING, settings.EMAIL_BACKEND, settings.CELERY_BROKER_URL)\n"
    )
    result = run_manage("shell", "--no-imports", "--command", probe, env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert "TESTING False django.core.mail.backends.console.EmailBackend filesystem://" in result.stdout

    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DJANGO_")) and k not in {*PRODUCTION_ENV, "EMAIL_BACKEND"}
    }
    direct = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**clean, "DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert direct.returncode == 0, direct.stderr
    assert "TESTING False django.core.mail.backends.console.EmailBackend filesystem://" in direct.stdout


def test_sessions_are_read_from_the_cache_only_when_it_is_shared():
    """cached_db skips a query per signed-in request, but only a cache every worker shares may hold sessions:
    with a process-local cache a sign-out in one worker would leave the session alive in the others."""
    probe = "from django.conf import settings; print('ENGINE', settings.SESSION_ENGINE)"
    shared = run_manage(
        "shell",
        "--no-imports",
        "--command",
        probe,
        env={"DEBUG": "true", "CACHE_URL": "redis://127.0.0.1:6379/9"},
    )
    assert shared.returncode == 0, shared.stderr
    assert "ENGINE django.contrib.sessions.backends.cached_db" in shared.stdout
    local = run_manage("shell", "--no-imports", "--command", probe, env={"DEBUG": "true"})
    assert local.returncode == 0, local.stderr
    assert "ENGINE django.contrib.sessions.backends.db\n" in local.stdout
