"""Writes agents and supervisors make on claims: assign, take next, reply, note, status, escalate, priority,
tags, merge. Each runs in one transaction, locks the claim, checks who may act, writes the timeline, the
audit entry and the outbox rows (ids only; the handlers turn them into notifications and webhooks).
Bulk actions call these same functions claim by claim."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.audit import audit_record
from helpdesk.models import User
from helpdesk.outbox import outbox_write
from helpdesk.redaction import redact
from tickets.access import claims_visible_to, may_handle
from tickets.claims.services import claim_change_status, public_actor_label
from tickets.models import (
    OPEN_STATUSES,
    Claim,
    ClaimEvent,
    ClaimStatus,
    EventKind,
    Macro,
    Priority,
    Tag,
)
from tickets.sla.clock import sla_on_agent_reply

# Statuses an agent may set by hand (withdrawn is the customer's own).
AGENT_STATUSES = (
    ClaimStatus.NEW,
    ClaimStatus.OPEN,
    ClaimStatus.WAITING_ON_CUSTOMER,
    ClaimStatus.WAITING_ON_PLATFORM,
    ClaimStatus.RESOLVED,
    ClaimStatus.CLOSED,
    ClaimStatus.REJECTED,
)
# Claims take-next hands out: not waiting on someone else.
TAKEABLE_STATUSES = (ClaimStatus.NEW, ClaimStatus.OPEN)


# --- who may act: the rule lives in tickets.access ---------------------------------------------------
def _lock_for(agent: User, claim: Claim) -> Claim:
    """The claim locked for update; 404 for anyone outside its team, like a claim that does not exist."""
    locked = Claim.objects.select_for_update().filter(pk=claim.pk).first()
    if locked is None or not may_handle(agent, locked):
        raise Http404
    return locked


def _event(
    claim: Claim, actor: User, kind: str, *, body: str = "", internal: bool = False, **data: Any
) -> ClaimEvent:
    return ClaimEvent.objects.create(
        claim=claim,
        kind=kind,
        actor=actor,
        actor_label=public_actor_label(actor),
        body=body,
        is_internal=internal,
        data=data,
    )


def _touch(claim: Claim, *fields: str) -> None:
    claim.updated_at = timezone.now()
    claim.save(update_fields=[*fields, "updated_at"])


# --- assignment -----------------------------------------------------------------------------------------
def _assign_locked(claim: Claim, actor: User, assignee: User | None) -> None:
    before = claim.assignee_id
    if before == (assignee.pk if assignee else None):
        return
    if assignee is not None and not may_handle(assignee, claim):
        raise ValidationError(_("This agent is not in the claim's team."), code="not_in_team")
    claim.assignee = assignee
    fields = ["assignee"]
    if assignee is not None and claim.status == ClaimStatus.NEW:
        claim.status = ClaimStatus.OPEN
        fields.append("status")
    _touch(claim, *fields)
    _event(
        claim,
        actor,
        EventKind.ASSIGNED,
        internal=True,
        assignee=assignee.public_name if assignee else "",
        assignee_id=assignee.pk if assignee else None,
    )
    audit_record(
        actor=actor,
        action="claim.assigned",
        obj=claim,
        before={"assignee": before},
        after={"assignee": claim.assignee_id},
    )
    outbox_write(
        event="claim.assigned",
        payload={"claim_id": claim.pk, "assignee_id": claim.assignee_id, "from": before, "by": actor.pk},
    )
    if "status" in fields:
        outbox_write(
            event="claim.status_changed",
            payload={
                "claim_id": claim.pk,
                "from": ClaimStatus.NEW.value,
                "to": ClaimStatus.OPEN.value,
                "by": "staff",
            },
        )


@transaction.atomic
def claim_assign(*, claim: Claim, actor: User, assignee: User | None) -> Claim:
    """Assign, reassign or (``assignee=None``) unassign. Agents may take or drop a claim themselves;
    handing a claim to someone else is a supervisor's call."""
    claim = _lock_for(actor, claim)
    if not actor.is_supervisor and assignee is not None and assignee.pk != actor.pk:
        raise PermissionDenied
    if not actor.is_supervisor and assignee is None and claim.assignee_id not in (None, actor.pk):
        raise PermissionDenied
    _assign_locked(claim, actor, assignee)
    return claim


def claim_take_next(*, agent: User) -> Claim | None:
    """Assign the most urgent unassigned claim this agent may handle, or None when there is none.

    ``SKIP LOCKED``: two agents clicking at once lock different rows, so they never get the same claim and
    neither waits for the other. The row is re-checked under the lock (a claim assigned meanwhile is skipped).
    """
    if not agent.is_agent:
        raise PermissionDenied
    for _attempt in range(3):
        with transaction.atomic():
            candidates = (
                claims_visible_to(agent)
                .filter(status__in=TAKEABLE_STATUSES, assignee__isnull=True)
                .order_by("priority", "queue_urgency", "queue_due_at", "created_at", "id")
            )
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True, of=("self",))
            claim = candidates.first()
            if claim is None:
                return None
            if claim.assignee_id is not None:  # lost a race on a backend without SKIP LOCKED
                continue
            _assign_locked(claim, agent, agent)
            return claim
    return None


# --- replies and notes ----------------------------------------------------------------------------------
def _clean_text(body: str) -> tuple[str, set[str]]:
    result = redact((body or "").strip())
    if not result.text:
        raise ValidationError(_("Write a message first."), code="empty")
    return result.text, set(result.kinds)


def _require_open(claim: Claim) -> None:
    if claim.is_finished:
        raise ValidationError(_("This claim is finished."), code="finished")


@transaction.atomic
def claim_agent_reply(*, claim: Claim, agent: User, body: str, macro: Macro | None = None) -> ClaimEvent:
    """A public reply. With a macro, its status and tags are applied in the same transaction."""
    claim = _lock_for(agent, claim)
    _require_open(claim)
    text, kinds = _clean_text(body)
    data: dict[str, Any] = {"macro": macro.pk} if macro else {}
    event = _event(claim, agent, EventKind.AGENT_REPLY, body=text, **data)
    _touch(claim, *sla_on_agent_reply(claim, event.created_at))
    audit_record(actor=agent, action="claim.agent_replied", obj=claim, after={"event": event.pk})
    outbox_write(event="claim.replied", payload={"claim_id": claim.pk, "event_id": event.pk})
    if macro is not None:
        for tag in macro.tags.all():
            _add_tag_locked(claim, agent, tag)
        if macro.set_status and macro.set_status != claim.status:
            _set_status_locked(claim, agent, macro.set_status, reason="")
    elif claim.status == ClaimStatus.NEW:
        _set_status_locked(claim, agent, ClaimStatus.OPEN, reason="")
    event.redacted_kinds = kinds  # type: ignore[attr-defined]
    return event


@transaction.atomic
def claim_internal_note(*, claim: Claim, agent: User, body: str) -> ClaimEvent:
    """A note for colleagues only: the customer's pages and API never show internal events."""
    claim = _lock_for(agent, claim)
    text, _kinds = _clean_text(body)
    event = _event(claim, agent, EventKind.INTERNAL_NOTE, body=text, internal=True)
    _touch(claim)
    audit_record(actor=agent, action="claim.internal_note", obj=claim, after={"event": event.pk})
    return event


@transaction.atomic
def claim_request_info(*, claim: Claim, agent: User, body: str) -> ClaimEvent:
    """Ask the customer for more; the claim waits on them (the SLA engine pauses on that status)."""
    claim = _lock_for(agent, claim)
    _require_open(claim)
    text, _kinds = _clean_text(body)
    event = _event(claim, agent, EventKind.INFO_REQUESTED, body=text)
    _touch(claim, *sla_on_agent_reply(claim, event.created_at))  # a question is an answer too
    audit_record(actor=agent, action="claim.info_requested", obj=claim, after={"event": event.pk})
    outbox_write(event="claim.info_requested", payload={"claim_id": claim.pk, "event_id": event.pk})
    if claim.status != ClaimStatus.WAITING_ON_CUSTOMER:
        _set_status_locked(claim, agent, ClaimStatus.WAITING_ON_CUSTOMER, reason="")
    return event


# --- status, escalation, priority -----------------------------------------------------------------------
def _set_status_locked(claim: Claim, agent: User, status: str, *, reason: str) -> None:
    if status not in AGENT_STATUSES:
        raise ValidationError(_("Choose a valid status."), code="invalid_status")
    if status == claim.status:
        return
    if status == ClaimStatus.REJECTED and not reason:
        raise ValidationError(
            _("Give the customer a reason for rejecting the claim."), code="reason_required"
        )
    now = timezone.now()
    extra: dict[str, Any] = {}
    if status == ClaimStatus.RESOLVED:
        extra["resolved_at"] = now
    elif status in (ClaimStatus.CLOSED, ClaimStatus.REJECTED):
        extra["closed_at"] = now
    elif status in OPEN_STATUSES:
        extra.update(resolved_at=None, closed_at=None)
    claim_change_status(
        claim,
        agent,
        status,
        kind=EventKind.STATUS_CHANGED,
        action="claim.status_changed",
        body=reason,
        **extra,
    )


@transaction.atomic
def claim_set_status(*, claim: Claim, agent: User, status: str, reason: str = "") -> Claim:
    claim = _lock_for(agent, claim)
    if claim.status == ClaimStatus.WITHDRAWN:
        raise ValidationError(_("The customer withdrew this claim."), code="withdrawn")
    _set_status_locked(claim, agent, status, reason=redact(reason.strip()).text)
    return claim


@transaction.atomic
def claim_escalate(*, claim: Claim, agent: User, reason: str) -> Claim:
    claim = _lock_for(agent, claim)
    _require_open(claim)
    text, _kinds = _clean_text(reason)
    claim.escalated_at = timezone.now()
    _touch(claim, "escalated_at")
    _event(claim, agent, EventKind.ESCALATED, body=text, internal=True)
    audit_record(actor=agent, action="claim.escalated", obj=claim, reason=text)
    outbox_write(event="claim.escalated", payload={"claim_id": claim.pk})
    return claim


@transaction.atomic
def claim_override_priority(*, claim: Claim, actor: User, priority: int, reason: str) -> Claim:
    """A supervisor sets the priority by hand, with a reason; triage keeps it until the override is lifted."""
    if not actor.is_supervisor:
        raise PermissionDenied
    claim = _lock_for(actor, claim)
    text = redact((reason or "").strip()).text
    if not text:
        raise ValidationError(_("Give a reason for changing the priority."), code="reason_required")
    if priority not in Priority.values:
        raise ValidationError(_("Choose a valid priority."), code="invalid_priority")
    before = claim.priority
    claim.priority = priority
    claim.urgency_parts = {**claim.urgency_parts, "override": {"priority": priority, "reason": text}}
    _touch(claim, "priority", "urgency_parts")
    _event(
        claim, actor, EventKind.PRIORITY_CHANGED, body=text, internal=True, **{"from": before, "to": priority}
    )
    audit_record(
        actor=actor,
        action="claim.priority_overridden",
        obj=claim,
        before={"priority": before},
        after={"priority": priority},
        reason=text,
    )
    return claim


# --- tags and merging -----------------------------------------------------------------------------------
def _add_tag_locked(claim: Claim, agent: User, tag: Tag) -> None:
    if claim.tags.filter(pk=tag.pk).exists():
        return
    claim.tags.add(tag)
    _event(claim, agent, EventKind.TAGGED, internal=True, added=tag.name)
    audit_record(actor=agent, action="claim.tagged", obj=claim, after={"tag": tag.name})


def tag_named(name: str) -> Tag:
    clean = " ".join((name or "").split())[:40]
    if not clean:
        raise ValidationError(_("Name the tag."), code="empty")
    return Tag.objects.get_or_create(name=clean)[0]


@transaction.atomic
def claim_add_tag(*, claim: Claim, agent: User, name: str) -> Claim:
    claim = _lock_for(agent, claim)
    _add_tag_locked(claim, agent, tag_named(name))
    _touch(claim)
    return claim


@transaction.atomic
def claim_merge(*, claim: Claim, agent: User, into: Claim) -> Claim:
    """Close ``claim`` as a duplicate of ``into`` (same customer); both timelines say so."""
    if claim.pk == into.pk:
        raise ValidationError(_("A claim cannot be merged into itself."), code="same_claim")
    # Lock both in id order so two merges of the same pair cannot deadlock.
    first, second = sorted([claim, into], key=lambda c: c.pk)
    locked = {c.pk: _lock_for(agent, c) for c in (first, second)}
    claim, into = locked[claim.pk], locked[into.pk]
    if claim.customer_id != into.customer_id:
        raise ValidationError(_("Only claims of the same customer can be merged."), code="other_customer")
    if not claim.is_open or into.is_finished:
        raise ValidationError(_("Only open claims can be merged."), code="not_open")
    claim.merged_into = into
    _touch(claim, "merged_into")
    _set_status_locked(claim, agent, ClaimStatus.CLOSED, reason="")
    _event(claim, agent, EventKind.MERGED, body=into.reference, into=into.reference)
    _event(into, agent, EventKind.MERGED, body=claim.reference, internal=True, merged=claim.reference)
    audit_record(actor=agent, action="claim.merged", obj=claim, after={"into": into.pk})
    outbox_write(event="claim.merged", payload={"claim_id": claim.pk, "into_id": into.pk})
    return claim


# --- bulk -----------------------------------------------------------------------------------------------
@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def claims_bulk(*, agent: User, claims: Iterable[Claim], act: Callable[[Claim], Any]) -> BulkResult:
    """Run one single-claim service on each claim; one claim failing does not undo the others."""
    result = BulkResult()
    for claim in claims:
        try:
            act(claim)
        except (ValidationError, PermissionDenied, Http404) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else _("Not allowed.")
            result.failed.append((claim.reference, message))
        else:
            result.done.append(claim.reference)
    return result
