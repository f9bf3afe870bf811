"""Fixed-window counters in the cache for actions that must not be repeated at will (sign-up, reset, SMS).

Keys hold a hash of what is counted, so no address, e-mail or phone number is stored in the cache.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


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
