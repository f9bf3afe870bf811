"""Reads on claims, scoped to who is asking. A customer's claim list and detail page use a fixed number of
queries however many claims, events and files there are."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from contacts.models import Platform, ProblemType
from helpdesk.models import User
from tickets.models import Claim, ClaimEvent, Evidence, PlatformClaimPolicy


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
    return list(ClaimEvent.objects.filter(claim=claim, is_internal=False).order_by("created_at", "id"))


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
