"""Supervisors' desk data edited in the app (not the Django admin): canned replies and SLA policies.
Each change is checked (supervisors only), audited with before/after in the same transaction, and, for SLA
policies, makes every process reload the policies after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contacts.models import Platform, ProblemType
from helpdesk.audit import audit_record, snapshot
from helpdesk.models import User
from tickets.models import Macro, SlaPolicy, Tag
from tickets.sla.policies import forget_policies

MACRO_FIELDS = ["name", "body", "set_status", "team", "is_active"]
SLA_FIELDS = [
    "name",
    "position",
    "active",
    "priorities",
    "min_amount",
    "max_amount",
    "high_value",
    "first_response",
    "next_response",
    "resolution",
    "callback",
    "calendar",
    "day_start",
    "day_end",
]


def _supervisor(actor: User) -> None:
    if not actor.is_supervisor:
        raise PermissionDenied


@transaction.atomic
def macro_save(*, actor: User, macro: Macro, tags: Iterable[Tag] = ()) -> Macro:
    """Create or change a canned reply (and the tags it adds)."""
    _supervisor(actor)
    before = None
    if macro.pk:
        old = Macro.objects.get(pk=macro.pk)
        before = {**snapshot(old, MACRO_FIELDS), "tags": sorted(t.name for t in old.tags.all())}
    if not macro.body.strip():
        raise ValidationError(_("Write the reply text."), code="body")
    macro.save()
    macro.tags.set(list(tags))
    audit_record(
        actor=actor,
        action="macro.changed" if before else "macro.created",
        obj=macro,
        before=before,
        after={**snapshot(macro, MACRO_FIELDS), "tags": sorted(t.name for t in macro.tags.all())},
    )
    return macro


@transaction.atomic
def sla_policy_save(
    *,
    actor: User,
    policy: SlaPolicy,
    platforms: Iterable[Platform] = (),
    problem_types: Iterable[ProblemType] = (),
) -> SlaPolicy:
    """Create or change an SLA policy. New claims use it at once; running claims keep their due times
    until something re-applies the SLA (a priority change, a reopen)."""
    _supervisor(actor)
    if policy.day_start and policy.day_end and policy.day_end <= policy.day_start:
        raise ValidationError(_("The working day must end after it starts."), code="day")
    if (
        policy.min_amount is not None
        and policy.max_amount is not None
        and policy.min_amount >= policy.max_amount
    ):
        raise ValidationError(_("The amount band is empty: “from” must be below “below”."), code="band")
    before = None
    if policy.pk:
        old = SlaPolicy.objects.get(pk=policy.pk)
        before = {
            **snapshot(old, SLA_FIELDS),
            "platforms": sorted(old.platforms.values_list("pk", flat=True)),
            "problem_types": sorted(old.problem_types.values_list("pk", flat=True)),
        }
    policy.save()
    policy.platforms.set(list(platforms))
    policy.problem_types.set(list(problem_types))
    audit_record(
        actor=actor,
        action="sla_policy.changed" if before else "sla_policy.created",
        obj=policy,
        before=before,
        after={
            **snapshot(policy, SLA_FIELDS),
            "platforms": sorted(policy.platforms.values_list("pk", flat=True)),
            "problem_types": sorted(policy.problem_types.values_list("pk", flat=True)),
        },
    )
    transaction.on_commit(forget_policies)
    return policy
