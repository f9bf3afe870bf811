"""SLA policies are data (``SlaPolicy`` rows): read once per CLAIM_REFERENCE_DATA_TTL seconds per process,
matched against a claim in position order (the first active match wins)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from cachetools import TTLCache
from django.conf import settings

from helpdesk.business_time import BusinessCalendar
from tickets.models import Claim, SlaCalendar, SlaPolicy, SlaTarget
from tickets.sla.rows import ClaimRow


@dataclass(frozen=True)
class Policy:
    id: int
    platforms: frozenset[int]
    problem_types: frozenset[int]
    priorities: frozenset[int]
    min_amount: Decimal | None
    max_amount: Decimal | None
    high_value: bool | None
    targets: dict[str, timedelta]
    calendar: BusinessCalendar

    def matches(self, claim: Claim | ClaimRow) -> bool:
        return (
            (not self.platforms or claim.platform_id in self.platforms)
            and (not self.problem_types or claim.problem_type_id in self.problem_types)
            and (not self.priorities or claim.priority in self.priorities)
            and (self.min_amount is None or claim.amount >= self.min_amount)
            and (self.max_amount is None or claim.amount < self.max_amount)
            and (self.high_value is None or claim.is_high_value == self.high_value)
        )


def _load_policies() -> list[Policy]:
    rows = list(SlaPolicy.objects.filter(active=True).prefetch_related("platforms", "problem_types"))
    out = []
    for row in rows:
        targets: dict[str, timedelta] = {
            str(name): value
            for name, value in (
                (SlaTarget.FIRST_RESPONSE, row.first_response),
                (SlaTarget.NEXT_RESPONSE, row.next_response),
                (SlaTarget.RESOLUTION, row.resolution),
                (SlaTarget.CALLBACK, row.callback),
            )
            if value
        }
        calendar = (
            BusinessCalendar(always=True)
            if row.calendar == SlaCalendar.ALWAYS
            else BusinessCalendar(always=False, day_start=row.day_start, day_end=row.day_end)
        )
        out.append(
            Policy(
                id=row.pk,
                platforms=frozenset(p.pk for p in row.platforms.all()),
                problem_types=frozenset(p.pk for p in row.problem_types.all()),
                priorities=frozenset(int(p) for p in row.priorities or ()),
                min_amount=row.min_amount,
                max_amount=row.max_amount,
                high_value=row.high_value,
                targets=targets,
                calendar=calendar,
            )
        )
    return out


# One entry (the active policies in order). Rebuilt when the TTL setting changes (tests use 0: no cache).
_cache: TTLCache[str, list[Policy]] = TTLCache(maxsize=1, ttl=60)
_lock = threading.Lock()


def policies() -> list[Policy]:
    """Active policies in order; each process keeps them CLAIM_REFERENCE_DATA_TTL seconds."""
    global _cache
    ttl = settings.CLAIM_REFERENCE_DATA_TTL
    if ttl <= 0:
        return _load_policies()
    with _lock:
        if _cache.ttl != ttl:
            _cache = TTLCache(maxsize=1, ttl=ttl)
        found = _cache.get("active")
    if found is None:
        found = _load_policies()
        with _lock:
            _cache["active"] = found
    return found


def forget_policies() -> None:
    """After a change: this process reloads now, the others within CLAIM_REFERENCE_DATA_TTL."""
    with _lock:
        _cache.clear()


def policy_for(claim: Claim | ClaimRow) -> Policy | None:
    return next((p for p in policies() if p.matches(claim)), None)


def policy_by_id(policy_id: int | None) -> Policy | None:
    return next((p for p in policies() if p.id == policy_id), None) if policy_id else None
