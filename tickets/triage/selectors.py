"""What triage reads about a claim: the customer's run of failures, the facts other apps know about the order
(registered providers), and the platform's report window. ``triage_facts`` gathers them into the
``TriageInput`` that ``tickets.triage.urgency.score`` turns into a score and a priority."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from contacts.models import ProblemType
from helpdesk.models import User
from tickets.models import Claim, PlatformClaimPolicy
from tickets.triage import urgency

FAILURE_TYPES = frozenset({"topup-not-credited", "card-code-invalid"})
REPEAT_WINDOW = timedelta(days=30)


def repeat_failures(
    customer: User, problem_type: ProblemType, now: datetime, before_id: int | None = None
) -> int:
    """How many failures in a row this customer has, counting this claim (one query, two rows)."""
    if problem_type.slug not in FAILURE_TYPES:
        return 0
    previous = Claim.objects.filter(customer=customer, created_at__gte=now - REPEAT_WINDOW)
    if before_id is not None:
        previous = previous.filter(pk__lt=before_id)
    slugs = list(
        previous.order_by("-created_at", "-id").values_list("problem_type__slug", flat=True)[
            : urgency.REPEAT_FAILURES - 1
        ]
    )
    run = 1
    for slug in slugs:
        if slug not in FAILURE_TYPES:
            break
        run += 1
    return run


# Facts other apps know about a claim's order (integrations: what the platform confirmed, the merchant's
# complaint rate, a proactive outreach). A provider is called as ``provider(customer_id=, platform_id=,
# order_number=)`` and returns ``TriageInput`` fields; registered from the other app's ``AppConfig.ready``.
TriageExtras = Callable[..., Mapping[str, Any]]
_triage_extras: list[TriageExtras] = []


def register_triage_extras(provider: TriageExtras) -> None:
    if provider not in _triage_extras:
        _triage_extras.append(provider)


def triage_extras(*, customer_id: int, platform_id: int, order_number: str) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    for provider in _triage_extras:
        extras.update(provider(customer_id=customer_id, platform_id=platform_id, order_number=order_number))
    return extras


def triage_facts(
    *,
    problem_type: ProblemType,
    amount: Decimal,
    happened_at: datetime,
    policy: PlatformClaimPolicy | None,
    now: datetime,
    next_due_at: datetime | None = None,
    failures: int = 0,
    extras: Mapping[str, Any] | None = None,
) -> urgency.TriageInput:
    return urgency.TriageInput(
        severity=int(problem_type.severity),
        amount=amount,
        high_value_amount=settings.CLAIM_HIGH_VALUE_AMOUNT,
        now=now,
        happened_at=happened_at,
        report_within=policy.report_within if policy else None,
        next_due_at=next_due_at,
        repeat_failures=failures,
        **(extras or {}),
    )


def lateness(policy: PlatformClaimPolicy | None, since: datetime, now: datetime) -> str:
    """Why the claim is late for the platform's rule, or "" if it is not."""
    if policy is None or policy.report_within is None:
        return ""
    elapsed = now - since
    if elapsed <= policy.report_within:
        return ""
    hours = int(elapsed.total_seconds() // 3600)
    limit = int(policy.report_within.total_seconds() // 3600)
    # Stored for the agents' tools in the domain's language, like the subject line.
    return f"事发 {hours} 小时后报告，平台规定 {limit} 小时内"
