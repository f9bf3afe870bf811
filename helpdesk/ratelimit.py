"""Rates: the one parser for rate strings (``"30/hour"``, ``"5/min"``), and fixed-window counters in the
cache for actions that must not be repeated at will (sign-up, reset, SMS, scam reports).

Keys hold a hash of what is counted, so no address, e-mail or phone number is stored in the cache.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

# What may follow the slash, in seconds. Every spelling here means the same to DRF's throttles (which read
# the first letter), so a rate string in settings is read alike by both.
RATE_PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
}


def parse_rate(raw: str) -> tuple[int, int]:
    """``"30/hour"`` → ``(30, 3600)``: (how many, per how many seconds). ValueError on anything else.

    The one reader of rate strings: settings (``env.rate``, the API throttle rates) and the web form's
    filing limit all come through here."""
    count, _slash, period = raw.partition("/")
    count, period = count.strip(), period.strip()
    if not count.isdigit() or int(count) < 1 or period not in RATE_PERIODS:
        raise ValueError(f"not a rate such as 5/hour (per s, min, hour or day): {raw!r}")
    return int(count), RATE_PERIODS[period]


def too_many(scope: str, subject: str, rate: tuple[int, int]) -> bool:
    """Count one more ``scope`` action by ``subject``; True once more than ``rate`` = (count, seconds)."""
    if not subject:
        return False
    limit, seconds = rate
    digest = hashlib.sha256(f"{scope}\0{subject}".encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}"
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr: this is the first of a new window
        cache.set(key, 1, timeout=seconds)
        return False
