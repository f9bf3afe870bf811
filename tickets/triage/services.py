"""Writes on triage: re-scoring a claim when an input changes, and the supervisors' routing rules."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.audit import audit_record, snapshot
from helpdesk.models import User
from tickets.claims.selectors import policy_for
from tickets.models import Claim, RoutingRule
from tickets.triage import urgency
from tickets.triage.routing import forget_routing
from tickets.triage.selectors import repeat_failures, triage_extras, triage_facts


def claim_retriage(*, claim: Claim, now: Any = None) -> Claim:
    """Recompute score and priority from the claim's current facts (due times, customer history).

    Called when an input changes (the SLA engine after computing due times, a problem-type change). A
    supervisor's override keeps its priority; the score still moves so the order within it stays right.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("problem_type").get(pk=claim.pk)
        due = claim.first_response_due_at if claim.first_responded_at is None else claim.resolution_due_at
        scored = urgency.score(
            triage_facts(
                problem_type=claim.problem_type,
                amount=claim.amount,
                happened_at=claim.access_lost_at or claim.paid_at,
                policy=policy_for(claim.platform_id, claim.problem_type_id),
                now=claim.created_at if claim.first_response_due_at is None else now,
                next_due_at=due,
                failures=repeat_failures(
                    claim.customer, claim.problem_type, claim.created_at, before_id=claim.pk
                ),
                extras=triage_extras(
                    customer_id=claim.customer_id,
                    platform_id=claim.platform_id,
                    order_number=claim.order_number,
                ),
            )
        )
        override = claim.urgency_parts.get("override")
        parts: dict[str, Any] = dict(scored.parts)
        if override:
            parts["override"] = override
        before = (claim.priority, claim.urgency_score)
        claim.priority = int(override["priority"]) if override else scored.priority
        claim.urgency_score = scored.score
        claim.urgency_parts = parts
        claim.is_high_value = scored.is_high_value
        if (claim.priority, claim.urgency_score) != before:
            _touch_fields = ["priority", "urgency_score", "urgency_parts", "is_high_value"]
            claim.save(update_fields=_touch_fields)
            audit_record(
                actor=None,
                action="claim.retriaged",
                obj=claim,
                before={"priority": before[0], "score": before[1]},
                after={"priority": claim.priority, "score": claim.urgency_score},
            )
    return claim


RULE_FIELDS = [
    "name",
    "position",
    "is_active",
    "platform",
    "problem_type",
    "min_amount",
    "max_amount",
    "high_value",
    "language",
    "team",
]


@transaction.atomic
def routing_rule_save(*, actor: User, rule: RoutingRule) -> RoutingRule:
    """Create or change a routing rule (validated by the caller's form); audited with before/after."""
    if not actor.is_supervisor:
        raise PermissionDenied
    before = snapshot(RoutingRule.objects.get(pk=rule.pk), RULE_FIELDS) if rule.pk else None
    if rule.min_amount is not None and rule.max_amount is not None and rule.min_amount >= rule.max_amount:
        raise ValidationError(_("The amount band is empty: “from” must be below “below”."), code="band")
    rule.save()
    transaction.on_commit(forget_routing)
    audit_record(
        actor=actor,
        action="routing_rule.changed" if before else "routing_rule.created",
        obj=rule,
        before=before,
        after=snapshot(rule, RULE_FIELDS),
    )
    return rule


@transaction.atomic
def routing_rule_delete(*, actor: User, rule: RoutingRule) -> None:
    if not actor.is_supervisor:
        raise PermissionDenied
    audit_record(actor=actor, action="routing_rule.deleted", obj=rule, before=snapshot(rule, RULE_FIELDS))
    rule.delete()
    transaction.on_commit(forget_routing)
