from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings

from tests.helpdesk.test_settings import PRODUCTION_ENV, run_manage


def test_the_retention_defaults_are_three_years_and_one_year():
    assert timedelta(days=3 * 365) == settings.RETENTION_CLOSED_CLAIMS
    assert timedelta(days=365) == settings.RETENTION_SCAM_REPORTS


@pytest.mark.parametrize("name", ["RETENTION_CLOSED_CLAIMS", "RETENTION_SCAM_REPORTS"])
def test_a_bad_retention_stops_start_up_naming_the_variable(name):
    result = run_manage("check", env={**PRODUCTION_ENV, name: "three years"})
    assert result.returncode == 2
    assert name in result.stderr and "duration" in result.stderr
