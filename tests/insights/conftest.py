from __future__ import annotations

import pytest

from tests.factories import claim_platform
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


@pytest.fixture
def platform(db):
    ensure_problem_types()
    return claim_platform()
