"""Urgency scoring: a pure function from a claim's facts to (score, priority, parts).

The parts are stored on the claim (``urgency_parts``) and shown to the agent, so "why is this P1?" has an
answer. Weights follow the domain (../shared/DOMAIN.md): account theft and fraud first, a large top-up not
credited next, how-to questions last; money, deadlines and a customer failing again and again push up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tickets.models import Priority

# Points per problem-type severity (contacts.Severity: 1 low .. 4 critical).
SEVERITY_POINTS = {1: 50, 2: 150, 3: 300, 4: 450}
HIGH_VALUE_POINTS = 150
# Below the high-value amount, money still counts a little: up to this many points, linear in the amount.
AMOUNT_POINTS_MAX = 60
WINDOW_NEAR_POINTS = 60  # the platform's claim window is about to close
WINDOW_LATE_POINTS = 40  # filed after the window: the agent must argue the exception with the platform
SLA_BREACHED_POINTS = 150
SLA_WITHIN_HOUR_POINTS = 100
SLA_WITHIN_FOUR_HOURS_POINTS = 50
REPEAT_FAILURE_POINTS = 80  # the third failure in a row: the platform should reach out first
REPEAT_FAILURES = 3
# What the platform itself told us (integrations/): it confirms the customer paid and the top-up failed;
# the order's merchant draws many complaints; ClaimDesk reached out first after repeated failed top-ups.
PLATFORM_CONFIRMED_POINTS = 60
MERCHANT_RISK_POINTS = 40
PROACTIVE_POINTS = 40

# Lowest score of each priority, most urgent first.
PRIORITY_FLOORS = ((450, Priority.P1), (300, Priority.P2), (150, Priority.P3))

PART_LABELS = {
    "severity": _("problem type severity"),
    "high_value": _("high-value order"),
    "amount": _("amount"),
    "window_near": _("platform claim window closing"),
    "window_late": _("filed after the platform's claim window"),
    "sla": _("SLA time remaining"),
    "repeat_failures": _("third failure in a row for this customer"),
    "platform_confirmed": _("the platform confirms: paid, top-up failed"),
    "merchant_risk": _("merchant with many complaints"),
    "proactive": _("we reached out first after repeated failed top-ups"),
}


@dataclass(frozen=True)
class TriageInput:
    severity: int
    amount: Decimal
    high_value_amount: Decimal
    now: datetime
    # When the problem happened (payment or loss of access) and the platform's reporting window, if any.
    happened_at: datetime | None = None
    report_within: timedelta | None = None
    next_due_at: datetime | None = None
    repeat_failures: int = 0
    platform_confirmed_failed: bool = False
    merchant_high_complaints: bool = False
    proactive: bool = False


@dataclass(frozen=True)
class Triage:
    score: int
    priority: int
    parts: dict[str, int]
    is_high_value: bool


def priority_for(score: int) -> int:
    for floor, priority in PRIORITY_FLOORS:
        if score >= floor:
            return int(priority)
    return int(Priority.P4)


def score(facts: TriageInput) -> Triage:
    parts: dict[str, int] = {"severity": SEVERITY_POINTS.get(int(facts.severity), SEVERITY_POINTS[2])}
    high_value = facts.amount >= facts.high_value_amount
    if high_value:
        parts["high_value"] = HIGH_VALUE_POINTS
    elif facts.amount > 0:
        parts["amount"] = int(AMOUNT_POINTS_MAX * facts.amount / facts.high_value_amount)
    if facts.report_within and facts.happened_at:
        elapsed = facts.now - facts.happened_at
        if elapsed > facts.report_within:
            parts["window_late"] = WINDOW_LATE_POINTS
        elif elapsed >= facts.report_within * 0.75:
            parts["window_near"] = WINDOW_NEAR_POINTS
    if facts.next_due_at is not None:
        remaining = facts.next_due_at - facts.now
        if remaining <= timedelta(0):
            parts["sla"] = SLA_BREACHED_POINTS
        elif remaining <= timedelta(hours=1):
            parts["sla"] = SLA_WITHIN_HOUR_POINTS
        elif remaining <= timedelta(hours=4):
            parts["sla"] = SLA_WITHIN_FOUR_HOURS_POINTS
    if facts.repeat_failures >= REPEAT_FAILURES:
        parts["repeat_failures"] = REPEAT_FAILURE_POINTS
    if facts.platform_confirmed_failed:
        parts["platform_confirmed"] = PLATFORM_CONFIRMED_POINTS
    if facts.merchant_high_complaints:
        parts["merchant_risk"] = MERCHANT_RISK_POINTS
    if facts.proactive:
        parts["proactive"] = PROACTIVE_POINTS
    parts = {name: points for name, points in parts.items() if points}
    total = sum(parts.values())
    return Triage(score=total, priority=priority_for(total), parts=parts, is_high_value=high_value)


def explain(parts: dict[str, object]) -> list[tuple[str, int]]:
    """The parts as (label, points), largest first, for the "why this priority?" panel."""
    rows = [(str(PART_LABELS.get(name, name)), int(v)) for name, v in parts.items() if isinstance(v, int)]
    return sorted(rows, key=lambda row: -row[1])
