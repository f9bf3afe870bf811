"""Rate strings have one reader (helpdesk.ratelimit.parse_rate); the settings and DRF read them alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import SimpleRateThrottle

from helpdesk.env import Env
from helpdesk.ratelimit import RATE_PERIODS, parse_rate


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("30/hour", (30, 3600)), ("5/min", (5, 60)), ("1/s", (1, 1)), (" 2 / day ", (2, 86400))],
)
def test_it_reads_a_rate(raw, expected):
    assert parse_rate(raw) == expected


@pytest.mark.parametrize("raw", ["", "30", "30/", "/hour", "0/hour", "-1/hour", "five/hour", "30/fortnight"])
def test_it_refuses_what_is_not_a_rate(raw):
    with pytest.raises(ValueError):
        parse_rate(raw)


class _Throttle(SimpleRateThrottle):
    rate = "1/s"


@pytest.mark.parametrize("period", sorted(RATE_PERIODS))
def test_every_spelling_means_the_same_to_drf(period):
    assert _Throttle().parse_rate(f"7/{period}") == parse_rate(f"7/{period}")


def test_the_api_throttle_rates_in_settings_are_rates(settings):
    for scope, rate in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].items():
        assert parse_rate(rate), scope


def test_a_bad_api_throttle_rate_stops_start_up():
    assert Env({"API_THROTTLE_CLAIMS": "10/min"}).rate_string("API_THROTTLE_CLAIMS", "30/hour") == "10/min"
    assert Env({}).rate_string("API_THROTTLE_CLAIMS", "30/hour") == "30/hour"
    with pytest.raises(ImproperlyConfigured, match="API_THROTTLE_CLAIMS"):
        Env({"API_THROTTLE_CLAIMS": "30/fortnight"}).rate_string("API_THROTTLE_CLAIMS", "30/hour")
