"""The checker's answer as JSON, computed once per directory version, language and input.

The key holds the directory version (``contacts.versioning``): a directory change, a report or a decision
commits a new version in its own transaction, so an answer computed before it is never read after it. The
version is read before the directory, so what is stored is never older than the version it is stored
under. An answer that counts reports lives no longer than its first counted report stays in the window.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from contacts import answer_cache, versioning
from contacts.checker.engine import check
from contacts.checker.extract import normalise
from contacts.checker.present import outcome_json


def check_json(raw: str) -> dict[str, Any]:
    """``outcome_json(check(raw))``, from the cache when it may be. Raises ``InputProblem`` like ``check``."""
    text = normalise(raw)
    version = versioning.current()
    digest = hashlib.sha256(f"{version.key}\0{get_language()}\0{text}".encode()).hexdigest()
    key = f"checker:{digest}"
    answer = answer_cache.get(key)
    if answer is not None:
        return answer
    outcome = check(text)
    answer = outcome_json(outcome)
    lifetime = settings.CHECKER_CACHE_TTL.total_seconds()
    if outcome.valid_until is not None:
        lifetime = min(lifetime, (outcome.valid_until - timezone.now()).total_seconds())
    if lifetime >= 1:
        answer_cache.put(key, answer, int(lifetime))
    return answer
