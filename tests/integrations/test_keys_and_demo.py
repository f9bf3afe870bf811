from __future__ import annotations

import importlib

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from helpdesk.api.platform_keys import SCOPES, platform_key_issue, platform_key_set_scopes
from helpdesk.models import AuditEntry, PlatformApiKey
from integrations.demo import DEMO_KEY, seed


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_keys_issued_without_scopes_keep_managing_webhooks_only(platform):
    _row, key = platform_key_issue(actor=None, platform_id=platform.pk)
    client = _client(key)
    assert client.get("/api/v1/platform/webhooks/").status_code == 200
    assert client.post("/api/v1/platform/events/", {"id": "x"}, format="json").status_code == 403
    assert client.get("/api/v1/platform/claims/").status_code == 403


def test_a_key_without_the_webhooks_scope_cannot_manage_webhooks(platform):
    _row, key = platform_key_issue(actor=None, platform_id=platform.pk, scopes=["events:write"])
    assert _client(key).get("/api/v1/platform/webhooks/").status_code == 403


def test_existing_keys_get_the_webhooks_scope_from_the_migration():
    migration = importlib.import_module("helpdesk.migrations.0011_platform_key_scopes")
    field = migration.Migration.operations[0].field
    assert field.default() == ["webhooks"]


def test_scope_changes_are_audited_and_unknown_scopes_refused(platform):
    row, _key = platform_key_issue(actor=None, platform_id=platform.pk)
    platform_key_set_scopes(actor=None, key=row, scopes=["claims:read"])
    assert PlatformApiKey.objects.get(pk=row.pk).scopes == ["claims:read"]
    assert AuditEntry.objects.filter(action="platform_key.scopes_changed").count() == 1
    with pytest.raises(ValueError):
        platform_key_set_scopes(actor=None, key=row, scopes=["admin"])


def test_the_demo_key_exists_with_every_scope_under_demo_mode(platform, settings):
    settings.DEMO_MODE = True
    seed()
    seed()  # idempotent
    row = PlatformApiKey.objects.get()
    assert row.platform_id == platform.pk and row.scopes == list(SCOPES) and row.revoked_at is None
    client = _client(DEMO_KEY)
    assert client.get("/api/v1/platform/claims/").status_code == 200
    assert client.get("/api/v1/platform/webhooks/").status_code == 200
    # Revoked by mistake: the next `make run` restores it.
    PlatformApiKey.objects.update(revoked_at="2026-12-01T00:00:00Z", scopes=[])
    seed()
    assert _client(DEMO_KEY).get("/api/v1/platform/claims/").status_code == 200


def test_the_demo_key_is_never_created_without_demo_mode(platform, settings):
    settings.DEMO_MODE = False
    seed()
    assert not PlatformApiKey.objects.exists()
    assert _client(DEMO_KEY).get("/api/v1/platform/claims/").status_code == 401


def test_make_run_prints_the_demo_key_only_in_demo_mode(settings, capsys):
    settings.DEMO_MODE = True
    call_command("demo_accounts")
    assert DEMO_KEY in capsys.readouterr().out
    settings.DEMO_MODE = False
    call_command("demo_accounts")
    assert DEMO_KEY not in capsys.readouterr().out


def test_seed_demo_creates_the_key_for_xingyun(settings, db):
    settings.DEMO_MODE = True
    call_command("seed_demo")
    from contacts.models import Platform

    xingyun = Platform.objects.get(slug="xingyun")
    assert PlatformApiKey.objects.get(prefix="demo").platform_id == xingyun.pk
