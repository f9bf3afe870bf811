"""Reads on claims, scoped to who is asking. A customer's claim list and detail page use a fixed number of
queries however many claims, events and files there are."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from contacts.models import Platform, PlatformStatus, ProblemType
from helpdesk.models import User
from tickets.models import Claim, ClaimEvent, ClaimStatus, Evidence, PlatformClaimPolicy


def claims_for_customer(*, customer: User) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(customer=customer)
        .select_related("platform", "problem_type")
        .annotate(evidence_count=Count("evidence", distinct=True))
        .order_by("-created_at", "-id")
    )


def claim_for_customer(*, customer: User, reference: str) -> Claim:
    """The customer's own claim, or 404: another customer's reference must not even be confirmed."""
    claim = (
        Claim.objects.filter(customer=customer, reference=reference.upper())
        .select_related("platform", "problem_type")
        .first()
    )
    if claim is None or not customer.is_authenticated:
        raise Http404
    return claim


def public_timeline(claim: Claim) -> list[ClaimEvent]:
    events = list(ClaimEvent.objects.filter(claim=claim, is_internal=False).order_by("created_at", "id"))
    labels = dict(ClaimStatus.choices)
    for event in events:
        target = event.data.get("to") if isinstance(event.data, dict) else None
        event.status_label = labels.get(target, "") if target else ""  # type: ignore[attr-defined]
    return events


def claim_evidence(claim: Claim) -> list[Evidence]:
    return list(Evidence.objects.filter(claim=claim).order_by("created_at", "id"))


def policy_for(platform: Platform | int, problem_type: ProblemType | int) -> PlatformClaimPolicy | None:
    """The platform's rule for this problem type, else its general rule (one query)."""
    platform_id = platform if isinstance(platform, int) else platform.pk
    type_id = problem_type if isinstance(problem_type, int) else problem_type.pk
    return (
        PlatformClaimPolicy.objects.filter(platform_id=platform_id)
        .filter(Q(problem_type_id=type_id) | Q(problem_type__isnull=True))
        .order_by(F("problem_type_id").asc(nulls_last=True))
        .first()
    )


def escalation_due_at(claim: Claim, policy: PlatformClaimPolicy | None) -> datetime:
    """When an unresolved claim has passed the platform's promise (or our default): 12315 is the next step."""
    promise: timedelta = (
        policy.resolution_promise if policy and policy.resolution_promise else settings.CLAIM_ESCALATION_AFTER
    )
    return claim.created_at + promise


def active_policies() -> list[PlatformClaimPolicy]:
    """Every platform rule, for the filing form to show the one that applies."""
    return list(PlatformClaimPolicy.objects.exclude(rule_zh="", rule_en=""))


# Platforms, problem types and their rules change a few times a year but are read on every claim filed:
# each process keeps them for CLAIM_REFERENCE_DATA_TTL seconds (0 turns this off, as in tests).
_reference_cache: dict[str, tuple[float, Any]] = {}


def _cached(key: str, load: Callable[[], Any]) -> Any:
    ttl = settings.CLAIM_REFERENCE_DATA_TTL
    if ttl <= 0:
        return load()
    now = time.monotonic()
    hit = _reference_cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    _reference_cache[key] = (now + ttl, value)
    return value


def cached_policy_for(platform_id: int, problem_type_id: int) -> PlatformClaimPolicy | None:
    return _cached(
        f"policy:{platform_id}:{problem_type_id}", lambda: policy_for(platform_id, problem_type_id)
    )


def cached_platform(slug: str) -> Platform | None:
    return _cached(
        f"platform:{slug}",
        lambda: Platform.objects.exclude(status=PlatformStatus.CLOSED).filter(slug=slug).first(),
    )


def cached_problem_type(slug: str) -> ProblemType | None:
    return _cached(
        f"problem_type:{slug}", lambda: ProblemType.objects.filter(slug=slug, is_active=True).first()
    )
