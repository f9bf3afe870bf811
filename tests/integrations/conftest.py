from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from helpdesk.api.platform_keys import SCOPES, platform_key_issue
from tests.factories import claim_platform
from tests.tickets.conftest import ensure_problem_types


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


def event(
    event_id: str,
    kind: str = "topup.failed",
    *,
    email: str = "alice@example.com",
    at: datetime | None = None,
    order: dict[str, Any] | None = None,
    number: str | None = None,
    amount: str = "100.00",
    merchant: str = "",
) -> dict[str, Any]:
    when = at or timezone.now() - timedelta(minutes=5)
    body: dict[str, Any] = {
        "id": event_id,
        "type": kind,
        "occurred_at": when.isoformat(),
        "customer": {"email": email},
    }
    if order is not None:
        body["order"] = order
    elif number is not None:
        body["order"] = {
            "number": number,
            "amount": amount,
            "currency": "CNY",
            "product": "100元游戏点卡",
            "status": "paid",
            "paid_at": (when - timedelta(minutes=1)).isoformat(),
            **({"merchant": merchant} if merchant else {}),
        }
    return body
