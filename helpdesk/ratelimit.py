"""Rates: the one parser for rate strings (``"30/hour"``, ``"5/min"``), and fixed-window counters in the
cache for actions that must not be repeated at will (sign-up, reset, SMS, scam reports).

Keys hold a hash of what is counted, so no address, e-mail or phone number is stored in the cache.
"""

from __future__ import annotations

import hashlib

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

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
    return window_counts({key: seconds})[key][0] > limit


def window_counts(keys: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Count one more in each key's window (key: window seconds): (count so far, seconds until the window
    ends). One round trip on Redis however many keys."""
    cache = caches["default"]  # the backend itself (django.core.cache.cache is a proxy)
    if isinstance(cache, RedisCache):
        full = {key: cache.make_and_validate_key(key) for key in keys}
        pipe = cache._cache.get_client(None, write=True).pipeline(transaction=False)
        for key, seconds in keys.items():
            pipe.incr(full[key])
            pipe.expire(full[key], seconds, nx=True)
            pipe.ttl(full[key])
        replies = pipe.execute()
        return {key: (int(replies[3 * i]), max(int(replies[3 * i + 2]), 1)) for i, key in enumerate(keys)}
    counts: dict[str, tuple[int, int]] = {}
    for key, seconds in keys.items():
        cache.add(key, 0, timeout=seconds)
        try:
            counts[key] = (int(cache.incr(key)), seconds)
        except ValueError:  # expired between add and incr: the first of a new window
            cache.set(key, 1, timeout=seconds)
            counts[key] = (1, seconds)
    return counts
