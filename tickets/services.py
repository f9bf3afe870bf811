"""Writes on claims. Each service runs in one transaction: it checks who may act, writes the claim and its
timeline, the audit entry and the outbox rows together. Web views, the API and tasks all call these."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from contacts.models import Platform, ProblemType, Severity
from helpdesk.audit import audit_record
from helpdesk.models import User
from helpdesk.outbox import outbox_write
from helpdesk.redaction import redact, redact_fields
from helpdesk.uploads import Sanitized, schedule_sanitize
from tickets import triage
from tickets.callbacks.services import callback_for_new_claim, callbacks_on_status_change
from tickets.models import (
    OPEN_STATUSES,
    Claim,
    ClaimEvent,
    ClaimStatus,
    EventKind,
    Evidence,
    PlatformClaimPolicy,
)
from tickets.promises import promises_record_clocks
from tickets.routing import RoutingFacts, route
from tickets.selectors import cached_policy_for
from tickets.sla.clock import sla_on_customer_reply, sla_on_status_change, sla_schedule, sla_start

if TYPE_CHECKING:
    from helpdesk.uploads import CleanUpload

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
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


# --- helpers --------------------------------------------------------------------------------------------
_prefix_cache: dict[int, str] = {}


def platform_prefix(platform: Platform) -> str:
    """Two letters for the platform: pinyin initials of its Chinese name (星云卡盟 → XY), else its slug."""
    cached = _prefix_cache.get(platform.pk)
    if cached:
        return cached
    initials = "".join(lazy_pinyin(platform.name, style=Style.FIRST_LETTER, errors="ignore"))
    letters = re.sub(r"[^A-Za-z]", "", initials) or re.sub(r"[^A-Za-z]", "", platform.slug) or "CD"
    prefix = (letters[:2] if len(letters) >= 2 else (letters + "X")[:2]).upper()
    _prefix_cache[platform.pk] = prefix
    return prefix


def new_reference(platform: Platform, *, now: datetime | None = None) -> str:
    """``XY-20261122-7K3Q9M``: 30 random bits per day and platform, so references cannot be enumerated."""
    day = timezone.localtime(now or timezone.now()).strftime("%Y%m%d")
    tail = "".join(secrets.choice(_CROCKFORD) for _ in range(6))
    return f"{platform_prefix(platform)}-{day}-{tail}"


def is_urgent(problem_type: ProblemType, amount: Decimal) -> bool:
    return problem_type.severity >= Severity.HIGH or amount >= settings.CLAIM_HIGH_VALUE_AMOUNT


def claim_subject(order_number: str, problem_type: ProblemType, amount: Decimal) -> str:
    """The domain's subject format ``order no.-problem type-urgency``, in Chinese like the agents' tools."""
    urgency = "紧急" if is_urgent(problem_type, amount) else "一般"
    return f"{order_number}-{problem_type.name_zh}-{urgency}"[:200]


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
            : triage.REPEAT_FAILURES - 1
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
) -> triage.TriageInput:
    return triage.TriageInput(
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


def _actor_label(user: User) -> str:
    return user.public_name if user.is_staff_role else ""


def _require_customer(claim: Claim, actor: User) -> None:
    if claim.customer_id != actor.pk:
        raise PermissionDenied


def _lock(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim.pk)


def _store_files(files: list[CleanUpload]) -> list[tuple[CleanUpload, str]]:
    from helpdesk.uploads import store_private

    folder = f"evidence/{timezone.now():%Y/%m}"
    return [(upload, store_private(upload, folder=folder)) for upload in files]


def _discard_files(stored: list[tuple[CleanUpload, str]]) -> None:
    for _upload, name in stored:
        default_storage.delete(name)


def _unique_by_hash(files: list[CleanUpload], known: set[str] | None = None) -> list[CleanUpload]:
    seen = set(known or ())
    out = []
    for upload in files:
        if upload.sha256 not in seen:
            seen.add(upload.sha256)
            out.append(upload)
    return out


def _download_name(upload: CleanUpload) -> str:
    """The customer's file name, with the extension of what we actually stored (HEIC becomes JPEG)."""
    stem, dot, suffix = upload.original_name.rpartition(".")
    if (
        dot
        and suffix.lower() != upload.extension
        and not (suffix.lower() == "jpeg" and upload.extension == "jpg")
    ):
        return f"{stem[:190]}.{upload.extension}"
    return upload.original_name[:200]


def _evidence_rows(claim: Claim, actor: User, stored: list[tuple[CleanUpload, str]]) -> list[Evidence]:
    now = timezone.now()
    return [
        Evidence(
            claim=claim,
            storage_name=name,
            sha256=upload.sha256,
            content_type=upload.content_type,
            size=upload.size,
            original_name=_download_name(upload),
            uploaded_by=actor,
            created_at=now,
        )
        for upload, name in stored
    ]


def _create_evidence(claim: Claim, actor: User, stored: list[tuple[CleanUpload, str]]) -> list[Evidence]:
    rows = Evidence.objects.bulk_create(_evidence_rows(claim, actor, stored))
    for row in rows:
        schedule_sanitize(row.storage_name)  # images are rebuilt from pixels off the request
    return rows


def evidence_sanitized(old_name: str, result: Sanitized | None, reason: str) -> None:
    """Point the evidence at its clean copy, or drop it (with a note on the timeline) if it was refused."""
    evidence = Evidence.objects.select_related("claim").filter(storage_name=old_name).first()
    if evidence is None:
        return
    if result is not None:
        Evidence.objects.filter(pk=evidence.pk).update(
            storage_name=result.name, content_type=result.content_type, size=result.size
        )
        return
    evidence.delete()
    ClaimEvent.objects.create(
        claim=evidence.claim,
        kind=EventKind.EVIDENCE_ADDED,
        data={"removed": evidence.original_name, "reason": reason},  # worded by the page, in its language
    )


# --- services -------------------------------------------------------------------------------------------
def claim_create(*, customer: User, data: ClaimInput, evidence: list[CleanUpload] | None = None) -> Claim:
    """File a claim. Raises DuplicateOpenClaim when one is open for the same order; masks sensitive text."""
    if customer.is_staff_role:
        raise PermissionDenied
    files = _unique_by_hash(list(evidence or []))
    if len(files) > settings.EVIDENCE_MAX_FILES:
        raise ValidationError(
            _("You can attach at most %(count)d files.") % {"count": settings.EVIDENCE_MAX_FILES},
            code="too_many_files",
        )
    texts, kinds = redact_fields({name: getattr(data, name) for name in _REDACTED_TEXT_FIELDS})
    kinds |= data.redacted_kinds
    # No "is there an open claim?" query first: the partial unique index answers that on insert.
    now = timezone.now()
    policy = cached_policy_for(data.platform.pk, data.problem_type.pk)
    late_reason = lateness(policy, data.access_lost_at or data.paid_at, now)
    scored = triage.score(
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
    stored = _store_files(files)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():  # savepoint: a racing duplicate must not poison the transaction
                    claim.save(force_insert=True)
            except IntegrityError:
                existing = _open_claim_for(customer, data.platform, data.order_number)
                if existing is not None:
                    raise DuplicateOpenClaim(existing) from None
                raise
            sla_schedule([claim])  # when the SLA sweep must first look at it (tickets.sla.clock)
            events = [ClaimEvent(claim=claim, kind=EventKind.FILED, actor=customer, created_at=now)]
            evidence_rows = _create_evidence(claim, customer, stored) if stored else []
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
            ClaimEvent.objects.bulk_create(events)
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
            promises_record_clocks(claim, now)  # the SLA_PROMISE timeline entries the customer reads
            callback_for_new_claim(claim, now)  # high-value claims: a proactive call-back
    except BaseException:
        _discard_files(stored)
        raise
    return claim


def _open_claim_for(customer: User, platform: Platform, order_number: str) -> Claim | None:
    return (
        Claim.objects.filter(
            customer=customer, platform=platform, order_number=order_number, status__in=OPEN_STATUSES
        )
        .only("id", "reference")
        .first()
    )


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
        actor_label=actor_label or (_actor_label(actor) if actor else ""),
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
    """The public door to ``_change_status`` for other apps (integrations: a platform's outcome), with the
    claim locked by the caller: the same timeline entry, SLA effects, audit entry and outbox event."""
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
            new = _unique_by_hash(files, known)
            if len(known) + len(new) > settings.EVIDENCE_MAX_FILES:
                raise ValidationError(
                    _("A claim can hold at most %(count)d files.") % {"count": settings.EVIDENCE_MAX_FILES},
                    code="too_many_files",
                )
            if not new:
                return []
            stored = _store_files(new)
            rows = _create_evidence(claim, actor, stored)
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
        _discard_files(stored)
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


def reopen_deadline(claim: Claim) -> datetime | None:
    since = claim.resolved_at or claim.closed_at
    if since is None or claim.status not in (ClaimStatus.RESOLVED, ClaimStatus.CLOSED):
        return None
    return since + settings.CLAIM_REOPEN_WINDOW


def can_reopen(claim: Claim, now: datetime | None = None) -> bool:
    deadline = reopen_deadline(claim)
    return deadline is not None and (now or timezone.now()) <= deadline


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
