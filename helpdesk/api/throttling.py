"""The API's default throttles as fixed-window counters: one cache round trip per request on Redis.

DRF's own throttles keep a list of every request's time per client and rewrite it on each request (two
round trips, and a pickled list as long as the rate); under a wave that is the slowest part of a cached
check. Here a window starts with a client's first request and counts up (``INCR``, ``EXPIRE NX`` and
``TTL`` in one pipeline); beyond the rate the answer is a 429 whose ``Retry-After`` is the window's rest.
Rates and scopes are DRF's settings (``DEFAULT_THROTTLE_RATES``, ``throttle_scope``), read per request.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """DRF's rate strings: "120/min", "30/hour"; None means unlimited."""
    if rate is None:
        return None
    count, _sep, period = rate.partition("/")
    return int(count), _UNITS[period[0]]


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


class WindowThrottle(BaseThrottle):
    """DRF's anon, user and scoped throttles in one: per client address without an account (``anon``), per
    account (``user``), and the view's ``throttle_scope`` per account or else per address."""

    def __init__(self) -> None:
        self.retry_after: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        signed_in = bool(request.user and request.user.is_authenticated)
        who = f"user:{request.user.pk}" if signed_in else f"ip:{self.get_ident(request)}"
        scopes = ["user" if signed_in else "anon"]
        view_scope = getattr(view, "throttle_scope", None)
        if view_scope:
            scopes.append(view_scope)
        limits: dict[str, tuple[int, int]] = {}
        for scope in scopes:
            rate = parse_rate(rates.get(scope))
            if rate is not None:
                digest = hashlib.sha256(who.encode()).hexdigest()[:24]
                limits[f"throttle:{scope}:{digest}"] = rate
        if not limits:
            return True
        counts = window_counts({key: seconds for key, (_limit, seconds) in limits.items()})
        over = [counts[key][1] for key, (limit, _seconds) in limits.items() if counts[key][0] > limit]
        if not over:
            return True
        self.retry_after = max(over)
        return False

    def wait(self) -> float | None:
        return self.retry_after
