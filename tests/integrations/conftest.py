from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from helpdesk.api.platform_keys import SCOPES, platform_key_issue
from tests.factories import claim_platform
from tests.support.tickets import ensure_problem_types


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """The platform throttle counts per client address in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def platform(db):
    ensure_problem_types()
    return claim_platform()


@pytest.fixture
def other_platform(db):
    return claim_platform("lanjing", "蓝鲸卡盟")


@pytest.fixture
def platform_client(platform) -> Callable[..., APIClient]:
    """An API client carrying a fresh key of ``platform`` (or another) with the given scopes."""

    def make(scopes: Any = SCOPES, for_platform: Any = None) -> APIClient:
        _row, key = platform_key_issue(
            actor=None, platform_id=(for_platform or platform).pk, name="test", scopes=scopes
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make
