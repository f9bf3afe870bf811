"""Directory fixtures: a platform and the demo directory. The two directory admins with TOTP enrolled
(``admin_a``, ``admin_b``) and ``publish`` live in tests.support.contacts: tests elsewhere import them too."""

from __future__ import annotations

import pytest

from contacts.models import Platform
from tests.factories import PlatformFactory
from tests.support.contacts import admin_a, admin_b, publish  # noqa: F401 - fixtures


@pytest.fixture
def platform(db) -> Platform:
    return PlatformFactory(name="星云卡盟", slug="xingyun", aliases=["Xingyun"])


@pytest.fixture
def demo(admin_a, admin_b) -> None:  # noqa: F811 - the fixtures imported above
    """The demo directory of issue #3, published by the two admins through the services."""
    from contacts.demo import seed

    seed()
