"""Where cached public answers live: a small LRU in this process first, then Django's cache (Redis in
production, shared by every worker and machine).

Every key names the directory version (``contacts.versioning``), so a copy in either level is as safe as the
other: after a change no request asks for the old key again. The local level saves the cache round trip for
the few answers a wave asks for over and over; it is bounded in entries. Each entry carries the moment it
ends (wall clock), so a copy taken from the shared level ends when the shared one does.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from django.core.cache import cache

LOCAL_ENTRIES = 512
_lock = threading.Lock()
_local: OrderedDict[str, tuple[float, Any]] = OrderedDict()


def get(key: str) -> Any | None:
    now = time.time()
    with _lock:
        entry = _local.get(key)
        if entry is not None and entry[0] <= now:
            del _local[key]
            entry = None
        if entry is not None:
            _local.move_to_end(key)
            return entry[1]
    shared = cache.get(key)
    if not isinstance(shared, tuple) or len(shared) != 2 or shared[0] <= now:
        return None
    _remember(key, shared)
    return shared[1]


def put(key: str, value: Any, seconds: int) -> None:
    entry = (time.time() + seconds, value)
    cache.set(key, entry, timeout=seconds)
    _remember(key, entry)


def clear() -> None:
    with _lock:
        _local.clear()


def _remember(key: str, entry: tuple[float, Any]) -> None:
    with _lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)
