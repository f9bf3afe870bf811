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

from django.core.cache import cache
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


def window_count(key: str, seconds: int) -> tuple[int, int]:
    """Count one more in ``key``'s window: (count so far, seconds until the window ends)."""
    if isinstance(cache, RedisCache):
        full = cache.make_and_validate_key(key)
        pipe = cache._cache.get_client(full, write=True).pipeline(transaction=False)
        pipe.incr(full)
        pipe.expire(full, seconds, nx=True)
        pipe.ttl(full)
        count, _set, ttl = pipe.execute()
        return int(count), max(int(ttl), 1)
    cache.add(key, 0, timeout=seconds)
    try:
        return int(cache.incr(key)), seconds
    except ValueError:  # expired between add and incr: the first of a new window
        cache.set(key, 1, timeout=seconds)
        return 1, seconds


class _WindowThrottle(BaseThrottle):
    scope_attr = ""

    def __init__(self) -> None:
        self.retry_after: int | None = None

    def scope(self, view: Any) -> str | None:
        return self.scope_attr

    def subject(self, request: Request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        scope = self.scope(view)
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        rate = parse_rate(rates.get(scope)) if scope else None
        subject = self.subject(request) if rate is not None else None
        if rate is None or subject is None:
            return True
        limit, seconds = rate
        digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
        count, rest = window_count(f"throttle:{scope}:{digest}", seconds)
        if count <= limit:
            return True
        self.retry_after = rest
        return False

    def wait(self) -> float | None:
        return self.retry_after


class AnonThrottle(_WindowThrottle):
    """Per client address (``NUM_PROXIES`` honoured), for requests without an account: scope ``anon``."""

    scope_attr = "anon"

    def subject(self, request: Request) -> str | None:
        return None if request.user and request.user.is_authenticated else self.get_ident(request)


class UserThrottle(_WindowThrottle):
    """Per account, for signed-in requests: scope ``user``."""

    scope_attr = "user"

    def subject(self, request: Request) -> str | None:
        return f"user:{request.user.pk}" if request.user and request.user.is_authenticated else None


class ScopedThrottle(_WindowThrottle):
    """The view's ``throttle_scope``, per account or else per client address."""

    def scope(self, view: Any) -> str | None:
        return getattr(view, "throttle_scope", None)

    def subject(self, request: Request) -> str | None:
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return self.get_ident(request)
