"""The API's default throttles as fixed-window counters: one cache round trip per request on Redis.

DRF's own throttles keep a list of every request's time per client and rewrite it on each request (two
round trips, and a pickled list as long as the rate); under a wave that is the slowest part of a cached
check. Here a window starts with a client's first request and counts up (``INCR``, ``EXPIRE NX`` and
``TTL`` in one pipeline); beyond the rate the answer is a 429 whose ``Retry-After`` is the window's rest.
Rates and scopes are DRF's settings (``DEFAULT_THROTTLE_RATES``, ``throttle_scope``), read per request; the
rate strings and the window counter are ``helpdesk.ratelimit``'s.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from helpdesk.ratelimit import parse_rate, window_counts


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
            rate = rates.get(scope)
            if rate:  # None: unlimited (a rate string was checked at start-up by env.rate_string)
                digest = hashlib.sha256(who.encode()).hexdigest()[:24]
                limits[f"throttle:{scope}:{digest}"] = parse_rate(rate)
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
