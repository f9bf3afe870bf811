"""Writes on claims. Each service runs in one transaction: it checks who may act, writes the claim and its
timeline, the audit entry and the outbox rows together. Web views, the API and tasks all call these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from contacts.models import Platform, ProblemType
from helpdesk.audit import audit_record
from helpdesk.models import User
from helpdesk.outbox import outbox_write
from helpdesk.redaction import redact, redact_fields
from tickets.callbacks.services import callback_for_new_claim, callbacks_on_status_change
from tickets.claims.references import claim_subject, new_reference
from tickets.claims.selectors import cached_policy_for, can_reopen, open_claim_for
from tickets.evidence.services import create_evidence, discard_files, store_files, unique_by_hash
from tickets.models import Claim, ClaimEvent, ClaimStatus, EventKind, Evidence
from tickets.promises import promises_of_clocks, promises_record_clocks
from tickets.sla.clock import sla_on_customer_reply, sla_on_status_change, sla_schedule, sla_start
from tickets.triage import urgency
from tickets.triage.routing import RoutingFacts, route
from tickets.triage.selectors import lateness, repeat_failures, triage_extras, triage_facts

if TYPE_CHECKING:
    from helpdesk.uploads import CleanUpload

_REDACTED_TEXT_FIELDS = ("product", "description")


class DuplicateOpenClaim(Exception):
    """The customer already has an open claim for this order on this platform."""

    def __init__(self, claim: Claim) -> None:
        super().__init__(claim.reference)
        self.claim = claim


@dataclass
class ClaimInput:
    platform: Platform
    problem_type: ProblemType
    order_number: str
    product: str
    amount: Decimal
    payment_channel: str
    paid_at: datetime
    description: str
    desired_outcome: str
    currency: str = "CNY"
    transaction_id: str = ""
    access_lost_at: datetime | None = None
    contact_phone: str = ""
    preferred_contact: str = "in_app"
    redacted_kinds: set[str] = field(default_factory=set)


def public_actor_label(user: User) -> str:
    """How the timeline names who acted: staff by their public name, the customer by nobody's."""
    return user.public_name if user.is_staff_role else ""


def _require_customer(claim: Claim, actor: User) -> None:
    if claim.customer_id != actor.pk:
        raise PermissionDenied


def _lock(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim.pk)


# --- services -------------------------------------------------------------------------------------------
def claim_create(*, customer: User, data: ClaimInput, evidence: list[CleanUpload] | None = None) -> Claim:
    """File a claim. Raises DuplicateOpenClaim when one is open for the same order; masks sensitive text."""
    if customer.is_staff_role:
        raise PermissionDenied
    files = unique_by_hash(list(evidence or []))
    if len(files) > settings.EVIDENCE_MAX_FILES:
        raise ValidationError(
            _("You can attach at most %(count)d files.") % {"count": settings.EVIDENCE_MAX_FILES},
            code="too_many_files",
        )
    texts, kinds = redact_fields({name: getattr(data, name) for name in _REDACTED_TEXT_FIELDS})
    kinds |= data.redacted_kinds
    now = timezone.now()
    policy = cached_policy_for(data.platform.pk, data.problem_type.pk)
    late_reason = lateness(policy, data.access_lost_at or data.paid_at, now)
    scored = urgency.score(
        triage_facts(
            problem_type=data.problem_type,
            amount=data.amount,
            happened_at=data.access_lost_at or data.paid_at,
            policy=policy,
            now=now,
            failures=repeat_failures(customer, data.problem_type, now),
            extras=triage_extras(
                customer_id=customer.pk, platform_id=data.platform.pk, order_number=data.order_number
            ),
        )
    )
    language = (customer.language or get_language() or "")[:10]
    team = route(
        RoutingFacts(
            platform_id=data.platform.pk,
            problem_type_id=data.problem_type.pk,
            amount=data.amount,
            language=language,
            is_high_value=scored.is_high_value,
        )
    )
    claim = Claim(
        reference=new_reference(data.platform, now=now),
        customer=customer,
        platform=data.platform,
        problem_type=data.problem_type,
        subject=claim_subject(data.order_number, data.problem_type, data.amount),
        order_number=data.order_number,
        product=texts["product"],
        amount=data.amount,
        currency=data.currency,
        payment_channel=data.payment_channel,
        paid_at=data.paid_at,
        transaction_id=data.transaction_id,
        description=texts["description"],
        access_lost_at=data.access_lost_at,
        desired_outcome=data.desired_outcome,
        contact_phone=data.contact_phone,
        preferred_contact=data.preferred_contact,
        redacted_kinds=sorted(kinds),
        late_filed=bool(late_reason),
        late_reason=late_reason,
        priority=scored.priority,
        urgency_score=scored.score,
        urgency_parts=scored.parts,
        is_high_value=scored.is_high_value,
        team=team,
        language=language,
        created_at=now,
        updated_at=now,
    )
    sla_start(claim, now)  # due times from the cached SLA policies: no query
    stored = store_files(files)
    inserted = False
    try:
        # The claim's INSERT is the block's first statement, so a duplicate rolls back nothing else and
        # needs no savepoint of its own (the block is one when the caller holds a transaction).
        with transaction.atomic():
            claim.save(force_insert=True)
            inserted = True
            sla_schedule([claim])  # when the SLA sweep must first look at it (tickets.sla.clock)
            events = [ClaimEvent(claim=claim, kind=EventKind.FILED, actor=customer, created_at=now)]
            evidence_rows = create_evidence(claim, customer, stored) if stored else []
            claim.created_evidence = evidence_rows  # type: ignore[attr-defined]
            if stored:
                events.append(
                    ClaimEvent(
                        claim=claim,
                        kind=EventKind.EVIDENCE_ADDED,
                        actor=customer,
                        data={"files": [u.original_name for u, _n in stored]},
                        created_at=now,
                    )
                )
            # The SLA_PROMISE entries the customer reads go in the same statement, after the others.
            ClaimEvent.objects.bulk_create([*events, *promises_of_clocks(claim, now)])
            claim.created_events = events  # type: ignore[attr-defined]  # the response needs no re-read
            audit_record(
                actor=customer,
                action="claim.filed",
                obj=claim,
                after={
                    "platform": claim.platform_id,
                    "problem_type": claim.problem_type_id,
                    "amount": claim.amount,
                    "late_filed": claim.late_filed,
                    "evidence": len(stored),
                    "redacted": claim.redacted_kinds,
                },
            )
            outbox_write(event="claim.filed", payload={"claim_id": claim.pk})
            callback_for_new_claim(claim, now)  # high-value claims: a proactive call-back
    except IntegrityError:
        discard_files(stored)
        # No "is there an open claim?" query first: the partial unique index answers that on insert.
        existing = None if inserted else open_claim_for(customer, data.platform, data.order_number)
        if existing is not None:
            raise DuplicateOpenClaim(existing) from None
        raise
    except BaseException:
        discard_files(stored)
        raise
    return claim


def _change_status(
    claim: Claim,
    actor: User | None,
    status: str,
    *,
    kind: str,
    action: str,
    body: str = "",
    by: str = "",
    actor_label: str = "",
    event_data: Mapping[str, Any] | None = None,
    **extra: Any,
) -> None:
    """``actor`` None: a system or a platform acted (``by`` and ``actor_label`` say who)."""
    before = claim.status
    claim.status = status
    claim.updated_at = timezone.now()
    fields = ["status", "updated_at", *sla_on_status_change(claim, before, status, claim.updated_at)]
    for name, value in extra.items():
        setattr(claim, name, value)
        fields.append(name)
    claim.save(update_fields=fields)
    callbacks_on_status_change(claim, status, claim.updated_at, actor)
    ClaimEvent.objects.create(
        claim=claim,
        kind=kind,
        actor=actor,
        actor_label=actor_label or (public_actor_label(actor) if actor else ""),
        body=body,
        data={**(event_data or {}), "from": before, "to": status},
    )
    audit_record(actor=actor, action=action, obj=claim, before={"status": before}, after={"status": status})
    outbox_write(
        event="claim.status_changed",
        payload={
            "claim_id": claim.pk,
            "from": before,
            "to": status,
            "by": by or ("staff" if actor is not None and actor.is_staff_role else "customer"),
        },
    )


def claim_change_status(
    claim: Claim, actor: User | None, status: str, *, kind: str, action: str, **options: Any
) -> None:
    """The one door for status changes from outside the customer lifecycle (the desk's agent actions,
    integrations: a platform's outcome), with the claim locked by the caller: the same timeline entry, SLA
    effects, audit entry and outbox event."""
    _change_status(claim, actor, status, kind=kind, action=action, **options)


@transaction.atomic
def claim_reply(*, claim: Claim, author: User, body: str) -> ClaimEvent:
    """The customer writes on their claim (also how they answer an agent's question)."""
    _require_customer(claim, author)
    claim = _lock(claim)
    result = redact(body.strip())
    if not result.text:
        raise ValidationError(_("Write a message first."), code="empty")
    if not (claim.is_open or claim.is_resolved):
        raise ValidationError(_("This claim is finished; file a new claim instead."), code="finished")
    event = ClaimEvent.objects.create(
        claim=claim,
        kind=EventKind.CUSTOMER_REPLY,
        actor=author,
        body=result.text,
        data={"redacted": sorted(result.kinds)} if result.kinds else {},
    )
    fields = ["updated_at"]
    claim.updated_at = now = timezone.now()
    if claim.status == ClaimStatus.WAITING_ON_CUSTOMER:
        # The customer answered: the claim goes back to the agent and the SLA clock resumes.
        claim.status = ClaimStatus.OPEN
        fields.append("status")
        fields += sla_on_status_change(claim, ClaimStatus.WAITING_ON_CUSTOMER, ClaimStatus.OPEN, now)
        promises_record_clocks(claim, now)  # the paused promises moved on: the new times
    fields += sla_on_customer_reply(claim, now)
    claim.save(update_fields=sorted(set(fields)))
    audit_record(actor=author, action="claim.customer_replied", obj=claim, after={"event": event.pk})
    outbox_write(event="claim.customer_replied", payload={"claim_id": claim.pk, "event_id": event.pk})
    event.redacted_kinds = result.kinds  # type: ignore[attr-defined]
    return event


def claim_add_evidence(*, claim: Claim, actor: User, files: list[CleanUpload]) -> list[Evidence]:
    _require_customer(claim, actor)
    if claim.is_finished:
        raise ValidationError(_("This claim is finished; file a new claim instead."), code="finished")
    stored: list[tuple[CleanUpload, str]] = []
    try:
        with transaction.atomic():
            claim = _lock(claim)
            known = set(Evidence.objects.filter(claim=claim).values_list("sha256", flat=True))
            new = unique_by_hash(files, known)
            if len(known) + len(new) > settings.EVIDENCE_MAX_FILES:
                raise ValidationError(
                    _("A claim can hold at most %(count)d files.") % {"count": settings.EVIDENCE_MAX_FILES},
                    code="too_many_files",
                )
            if not new:
                return []
            stored = store_files(new)
            rows = create_evidence(claim, actor, stored)
            ClaimEvent.objects.create(
                claim=claim,
                kind=EventKind.EVIDENCE_ADDED,
                actor=actor,
                data={"files": [u.original_name for u, _n in stored]},
            )
            claim.updated_at = timezone.now()
            claim.save(update_fields=["updated_at"])
            audit_record(actor=actor, action="claim.evidence_added", obj=claim, after={"files": len(rows)})
            outbox_write(event="claim.evidence_added", payload={"claim_id": claim.pk})
            return rows
    except BaseException:
        discard_files(stored)
        raise


@transaction.atomic
def claim_withdraw(*, claim: Claim, actor: User, reason: str = "") -> Claim:
    _require_customer(claim, actor)
    claim = _lock(claim)
    if not claim.is_open:
        raise ValidationError(_("Only an open claim can be withdrawn."), code="not_open")
    _change_status(
        claim,
        actor,
        ClaimStatus.WITHDRAWN,
        kind=EventKind.WITHDRAWN,
        action="claim.withdrawn",
        body=redact(reason.strip()).text,
        closed_at=timezone.now(),
    )
    return claim


@transaction.atomic
def claim_confirm_resolved(*, claim: Claim, actor: User) -> Claim:
    """The customer says the problem is solved (after an agent's answer, or on their own)."""
    _require_customer(claim, actor)
    claim = _lock(claim)
    if not (claim.is_open or claim.is_resolved):
        raise ValidationError(_("This claim is already finished."), code="finished")
    now = timezone.now()
    if claim.is_resolved:
        ClaimEvent.objects.create(claim=claim, kind=EventKind.RESOLVED_CONFIRMED, actor=actor)
        audit_record(actor=actor, action="claim.resolution_confirmed", obj=claim)
        outbox_write(event="claim.resolution_confirmed", payload={"claim_id": claim.pk})
        return claim
    _change_status(
        claim,
        actor,
        ClaimStatus.RESOLVED,
        kind=EventKind.RESOLVED_CONFIRMED,
        action="claim.resolution_confirmed",
        resolved_at=now,
    )
    return claim


@transaction.atomic
def claim_reopen(*, claim: Claim, actor: User, reason: str) -> Claim:
    _require_customer(claim, actor)
    claim = _lock(claim)
    if not can_reopen(claim):
        days = settings.CLAIM_REOPEN_WINDOW.days
        raise ValidationError(
            _("A claim can be reopened within %(days)d days of being resolved; file a new claim instead.")
            % {"days": days},
            code="reopen_window",
        )
    text = redact(reason.strip()).text
    if not text:
        raise ValidationError(_("Tell us why the problem is not solved."), code="empty")
    _change_status(
        claim,
        actor,
        ClaimStatus.OPEN,
        kind=EventKind.REOPENED,
        action="claim.reopened",
        body=text,
        resolved_at=None,
        closed_at=None,
    )
    return claim


@transaction.atomic
def claim_rate(*, claim: Claim, actor: User, rating: int, comment: str = "") -> Claim:
    _require_customer(claim, actor)
    claim = _lock(claim)
    if claim.status not in (ClaimStatus.RESOLVED, ClaimStatus.CLOSED):
        raise ValidationError(_("You can rate a claim once it is resolved."), code="not_resolved")
    if claim.rating is not None:
        raise ValidationError(_("You have already rated this claim."), code="already_rated")
    if not 1 <= int(rating) <= 5:
        raise ValidationError(_("Choose a rating from 1 to 5."), code="rating_range")
    claim.rating = int(rating)
    claim.rating_comment = redact(comment.strip()).text
    claim.updated_at = timezone.now()
    claim.save(update_fields=["rating", "rating_comment", "updated_at"])
    ClaimEvent.objects.create(
        claim=claim,
        kind=EventKind.RATED,
        actor=actor,
        body=claim.rating_comment,
        data={"rating": claim.rating},
    )
    audit_record(actor=actor, action="claim.rated", obj=claim, after={"rating": claim.rating})
    outbox_write(event="claim.rated", payload={"claim_id": claim.pk})
    return claim
