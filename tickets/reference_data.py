"""Reference data kept per process: platforms, problem types, platform claim rules and routing rules change
a few times a year but are read on every claim filed. Each process keeps them CLAIM_REFERENCE_DATA_TTL
seconds (0 turns this off, as in tests); a supervisor's change calls ``forget`` so this process reloads at
once and the others within the TTL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from cachetools import TTLCache
from django.conf import settings

T = TypeVar("T")
_MISSING = object()
MAX_ENTRIES = 4096  # platforms x problem types; far above the directory's size

_lock = threading.Lock()  # cachetools caches are not thread-safe (gunicorn threads, Celery threads)
_cache: TTLCache[str, Any] = TTLCache(maxsize=MAX_ENTRIES, ttl=60)


def _store(ttl: int) -> TTLCache[str, Any]:
    """The cache for the current TTL (a test may change the setting: a new TTL starts a new cache)."""
    global _cache
    if _cache.ttl != ttl:
        _cache = TTLCache(maxsize=MAX_ENTRIES, ttl=ttl)
    return _cache


def cached(key: str, load: Callable[[], T]) -> T:
    """``load()``'s value for ``key``, loaded at most once per TTL (a miss loads outside the lock)."""
    ttl = settings.CLAIM_REFERENCE_DATA_TTL
    if ttl <= 0:
        return load()
    with _lock:
        store = _store(ttl)
        hit = store.get(key, _MISSING)  # None is a value too: "this platform has no rule"
    if hit is not _MISSING:
        return hit
    value = load()
    with _lock:
        _store(ttl)[key] = value
    return value


def forget(key: str | None = None) -> None:
    """Drop one key (``None``: everything), so this process reads the database again."""
    with _lock:
        if key is None:
            _cache.clear()
        else:
            _cache.pop(key, None)
