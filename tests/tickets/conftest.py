from __future__ import annotations

import pytest

from tests.factories import TeamFactory, claim_platform, join_team
from tests.support.tickets import ensure_problem_types


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media", "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_draft_allowances():
    """Draft quotas count per client network in the cache; every test client comes from 127.0.0.1."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def platform(db):
    ensure_problem_types()  # transactional tests flush the data migration's rows
    return claim_platform()


@pytest.fixture
def team(db, platform):
    """The agent's team in the desk's tests (queue, workspace, search, supervisor)."""
    return TeamFactory(slug="topups", name="Top-ups")


@pytest.fixture
def team_agent(agent, team):
    return join_team(agent, team)
