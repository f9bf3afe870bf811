"""Reads on claims, scoped to who is asking. A customer's claim list and detail page use a fixed number of
queries however many claims, events and files there are."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from contacts.models import Platform, PlatformStatus, ProblemType
from helpdesk.models import User
from tickets import reference_data
from tickets.models import OPEN_STATUSES, Claim, ClaimEvent, ClaimStatus, PlatformClaimPolicy


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


def open_claim_for(customer: User, platform: Platform, order_number: str) -> Claim | None:
    """The customer's open claim for this order (the partial unique index allows only one)."""
    return (
        Claim.objects.filter(
            customer=customer, platform=platform, order_number=order_number, status__in=OPEN_STATUSES
        )
        .only("id", "reference")
        .first()
    )


def reopen_deadline(claim: Claim) -> datetime | None:
    since = claim.resolved_at or claim.closed_at
    if since is None or claim.status not in (ClaimStatus.RESOLVED, ClaimStatus.CLOSED):
        return None
    return since + settings.CLAIM_REOPEN_WINDOW


def can_reopen(claim: Claim, now: datetime | None = None) -> bool:
    deadline = reopen_deadline(claim)
    return deadline is not None and (now or timezone.now()) <= deadline


def public_timeline(claim: Claim) -> list[ClaimEvent]:
    events = list(ClaimEvent.objects.filter(claim=claim, is_internal=False).order_by("created_at", "id"))
    labels = dict(ClaimStatus.choices)
    for event in events:
        target = event.data.get("to") if isinstance(event.data, dict) else None
        event.status_label = labels.get(target, "") if target else ""  # type: ignore[attr-defined]
    return events


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


def filing_platforms() -> QuerySet[Platform]:
    """The platforms a claim can be filed against (the form's choices, the API's slugs)."""
    return Platform.objects.exclude(status=PlatformStatus.CLOSED)


def filing_problem_types() -> QuerySet[ProblemType]:
    return ProblemType.objects.filter(is_active=True)


# Platforms, problem types and their rules are reference data: kept per process (tickets.reference_data).
def cached_policy_for(platform_id: int, problem_type_id: int) -> PlatformClaimPolicy | None:
    return reference_data.cached(
        f"policy:{platform_id}:{problem_type_id}", lambda: policy_for(platform_id, problem_type_id)
    )


def cached_platform(slug: str) -> Platform | None:
    return reference_data.cached(f"platform:{slug}", lambda: filing_platforms().filter(slug=slug).first())


def cached_problem_type(slug: str) -> ProblemType | None:
    return reference_data.cached(
        f"problem_type:{slug}", lambda: filing_problem_types().filter(slug=slug).first()
    )


def cached_platform_by_id(platform_id: int) -> Platform | None:
    return reference_data.cached(
        f"platform#{platform_id}", lambda: filing_platforms().filter(pk=platform_id).first()
    )


def cached_problem_type_by_id(problem_type_id: int) -> ProblemType | None:
    return reference_data.cached(
        f"problem_type#{problem_type_id}", lambda: filing_problem_types().filter(pk=problem_type_id).first()
    )
