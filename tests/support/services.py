"""Tests that need a real PostgreSQL or Redis: skipped without them locally, failed in CI."""

from __future__ import annotations

import os

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def missing_service(reason: str) -> None:
    """Skip locally; fail in CI, where REQUIRE_SERVICES=1 promises the service is there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1, so this fails instead of skipping)")
    pytest.skip(reason)
