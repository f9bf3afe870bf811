"""Call-back writes: a promise to phone the customer, with a due time, an owner, attempts and a code.

Created when a customer asks (claim page), automatically for high-value claims when they are filed, and
when an urgent claim's first response is breached. The customer's page shows the code the agent will say
and the number we call from: only the platform's published call-back line (``callback_line``), never a
hotline, which the checker says never calls anyone. Without one, the page says so and names no number.

We call only the customer's verified phone (``User.phone_verified_at``, proved by an SMS code at
/accounts/phone/). Without one, no call-back is created: the claim page asks the customer to verify their
number, and verifying it (``helpdesk.signals.phone_verified``) arranges the call-backs their open claims
were waiting for (``callbacks_for_verified_phone``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from contacts.selectors import official_callback_number
from helpdesk.audit import audit_record
from helpdesk.models import User
from helpdesk.notifications import NotifyItem, notify, notify_many
from helpdesk.outbox import outbox_write
from tickets.access import may_handle
from tickets.callbacks.selectors import pending_callback, verified_phone
from tickets.models import (
    OPEN_STATUSES,
    Callback,
    CallbackAttempt,
    CallbackOutcome,
    CallbackStatus,
    Claim,
    ClaimEvent,
    ClaimStatus,
    EventKind,
    Priority,
    SlaTarget,
    TeamMembership,
)
from tickets.promises import CANCELLED, LATE, NEEDS_PHONE, PENDING, promise_event, promise_record, when
from tickets.sla.clock import callback_due, renewed_due

CUSTOMER, HIGH_VALUE, BREACH, AGENT = "customer", "high_value", "breach", "agent"


def new_code() -> str:
    return f"{secrets.randbelow(10_000):04d}"


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _due(claim: Claim, now: datetime, window_start: datetime | None) -> datetime:
    due = callback_due(claim, now) or now + settings.CALLBACK_DEFAULT_WITHIN
    if window_start is not None and window_start > due:
        due = window_start  # the customer asked for later: the promise is their window
    return due


def _create(
    *,
    claim: Claim,
    phone: str,
    reason: str,
    now: datetime,
    actor: User | None,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    numbers: dict[int, str] | None = None,
) -> Callback | None:
    """Insert a pending call-back unless one is pending already (a partial unique index decides).
    ``numbers`` remembers each platform's call-back line across a batch (one query per platform)."""
    callback = Callback(
        claim=claim,
        phone=phone,
        reason=reason,
        window_start=window_start,
        window_end=window_end,
        due_at=_due(claim, now, window_start),
        owner_id=claim.assignee_id,
        code=new_code(),
        created_at=now,
    )
    try:
        with transaction.atomic():
            callback.save(force_insert=True)
    except IntegrityError:
        return None
    ClaimEvent.objects.create(
        claim=claim,
        kind=EventKind.CALLBACK_REQUESTED,
        actor=actor,
        data={"due": callback.due_at.isoformat(), "reason": reason},
        created_at=now,
    )
    promise_record(claim, target=SlaTarget.CALLBACK, state=PENDING, due=callback.due_at, now=now, actor=actor)
    audit_record(
        actor=actor,
        action="callback.requested",
        obj=callback,
        after={"claim": claim.pk, "reason": reason, "due_at": callback.due_at},
    )
    outbox_write(event="callback.requested", payload={"claim_id": claim.pk, "callback_id": callback.pk})
    context = {"reference": claim.reference, "due_at": _local(callback.due_at), "code": callback.code}
    number = _official_number(claim.platform_id, numbers)
    if number:
        context["official_number"] = number
    notify(
        user_ids=[claim.customer_id],
        # Without a published call-back line the message names no number: naming the hotline would
        # contradict the checker, which says that number never calls anyone.
        event="callback.scheduled" if number else "callback.scheduled_unlisted",
        context=context,
        url=f"/claims/{claim.reference}/",
        dedupe_key=f"callback:{callback.pk}",
    )
    return callback


def _official_number(platform_id: int, numbers: dict[int, str] | None) -> str:
    if numbers is None:
        return official_callback_number(platform_id=platform_id)
    if platform_id not in numbers:
        numbers[platform_id] = official_callback_number(platform_id=platform_id)
    return numbers[platform_id]


def callback_request(
    *,
    claim: Claim,
    customer: User,
    phone: str,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> Callback:
    """The customer asks to be called. Asking again while one is pending returns the pending one."""
    if claim.customer_id != customer.pk:
        raise PermissionDenied
    if claim.status not in OPEN_STATUSES:
        raise ValidationError(_("This claim is closed; open it again to ask for a call-back."), code="closed")
    if window_start and window_end and window_end <= window_start:
        raise ValidationError(_("The end of the window must be after its start."), code="window")
    now = timezone.now()
    if window_start and window_start < now - timedelta(minutes=1):
        raise ValidationError(_("The preferred time must not be in the past."), code="past")
    verified = verified_phone(customer)
    if not verified or phone != verified:
        raise ValidationError(
            _("We call only your verified phone number. Verify this number first, then ask again."),
            code="phone_unverified",
        )
    with transaction.atomic():
        created = _create(
            claim=claim,
            phone=verified,
            reason=CUSTOMER,
            now=now,
            actor=customer,
            window_start=window_start,
            window_end=window_end,
        )
    return created or pending_callback(claim)  # type: ignore[return-value]


def callback_for_new_claim(claim: Claim, now: datetime) -> Callback | None:
    """High-value claims get a proactive call-back as they are filed (in claim_create's transaction)."""
    if not claim.is_high_value:
        return None
    phone = verified_phone(claim.customer)
    if not phone:
        _ask_for_phone(claim, now)
        return None
    return _create(claim=claim, phone=phone, reason=HIGH_VALUE, now=now, actor=None)


def callbacks_for_verified_phone(user: User, now: datetime | None = None) -> int:
    """The customer just verified their phone: their open high-value claims that promise a call-back and
    never got one (they had no verified number) get it now. Returns how many were created."""
    phone = verified_phone(user)
    if not phone:
        return 0
    now = now or timezone.now()
    made = 0
    waiting = (
        Claim.objects.filter(customer=user, is_high_value=True, status__in=OPEN_STATUSES)
        .exclude(status=ClaimStatus.WAITING_ON_CUSTOMER)
        .exclude(callbacks__isnull=False)
    )
    for claim in waiting:
        if callback_due(claim, now) is not None:
            made += _create(claim=claim, phone=phone, reason=HIGH_VALUE, now=now, actor=None) is not None
    return made


def on_phone_verified(sender: object, user: User, **kwargs: object) -> None:
    callbacks_for_verified_phone(user)


def _ask_for_phone(claim: Claim, now: datetime) -> None:
    """A high-value claim promises a call-back, but the customer has no verified number: the claim page
    asks them to verify one (tickets.promises) and the customer is told; when they gave no number at all
    the team is alerted too, so someone can follow up."""
    if callback_due(claim, now) is None:
        return
    promise_record(claim, target=SlaTarget.CALLBACK, state=NEEDS_PHONE, now=now)
    context = {"reference": claim.reference}
    notify(
        user_ids=[claim.customer_id],
        event="callback.phone_needed",
        context=context,
        url=f"/claims/{claim.reference}/",
        dedupe_key=f"callback-phone:{claim.pk}",
    )
    if claim.contact_phone:
        return
    staff: set[int] = set()
    if claim.team_id is not None:
        staff.update(TeamMembership.objects.filter(team_id=claim.team_id).values_list("user_id", flat=True))
    if claim.assignee_id:
        staff.add(claim.assignee_id)
    if not staff:
        staff.update(User.objects.supervisor_ids())
    notify(
        user_ids=staff,
        event="callback.phone_missing",
        context=context,
        url=f"/agent/tickets/{claim.reference}/",
        dedupe_key=f"callback-phone-missing:{claim.pk}",
    )


def callbacks_on_status_change(claim: Claim, status: str, now: datetime, actor: User | None) -> int:
    """A claim that waits on the customer's written answer keeps no call-back we offered unasked (the
    customer's own request stays); a finished claim keeps none. Returns how many were cancelled."""
    pending = Callback.objects.select_for_update().filter(claim=claim, status=CallbackStatus.PENDING)
    if status == ClaimStatus.WAITING_ON_CUSTOMER:
        pending = pending.exclude(reason=CUSTOMER)
    elif status in OPEN_STATUSES:
        return 0
    cancelled = 0
    for callback in pending:
        callback.status, callback.closed_at = CallbackStatus.CANCELLED, now
        callback.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=actor,
            action="callback.cancelled",
            obj=callback,
            before={"status": CallbackStatus.PENDING},
            after={"status": CallbackStatus.CANCELLED, "claim_status": status},
        )
        cancelled += 1
    if cancelled and status == ClaimStatus.WAITING_ON_CUSTOMER:
        promise_record(claim, target=SlaTarget.CALLBACK, state=CANCELLED, now=now, actor=actor)
    return cancelled


def callbacks_for_breached_urgent(claim_ids: Iterable[int], now: datetime) -> int:
    """The SLA sweep found these first responses breached: urgent ones (P1-P2, open, not waiting on the
    customer) of customers with a verified phone get a call-back (to that phone). The claims are read by
    primary key and sorted out here: a filter on priority let the planner walk every urgent claim."""
    claims = (
        Claim.objects.filter(pk__in=list(claim_ids))
        .order_by()
        .select_related("customer")
        .only(
            "id",
            "reference",
            "status",
            "priority",
            "customer_id",
            "platform_id",
            "problem_type_id",
            "amount",
            "is_high_value",
            "assignee_id",
            "sla_policy_id",  # the call-back's due time comes from the claim's policy
            "customer__phone",
            "customer__phone_verified_at",
        )
    )
    made = 0
    numbers: dict[int, str] = {}
    for claim in claims:
        urgent = claim.priority <= Priority.P2 and claim.status in OPEN_STATUSES
        phone = verified_phone(claim.customer)
        if not urgent or claim.status == ClaimStatus.WAITING_ON_CUSTOMER or not phone:
            continue
        created = _create(claim=claim, phone=phone, reason=BREACH, now=now, actor=None, numbers=numbers)
        made += created is not None
    return made


def callback_record_attempt(*, callback: Callback, agent: User, outcome: str, note: str = "") -> Callback:
    """An agent called. Reached → done; N unreached attempts → the customer is told and the claim noted."""
    if not agent.is_agent:
        raise PermissionDenied
    if outcome not in CallbackOutcome.values:
        raise ValidationError(_("Choose what happened on the call."), code="outcome")
    now = timezone.now()
    with transaction.atomic():
        locked = Callback.objects.select_for_update().select_related("claim").get(pk=callback.pk)
        if not may_handle(agent, locked.claim):
            raise Http404  # another team's call-back: as if it did not exist (tickets.access)
        if locked.status != CallbackStatus.PENDING:
            raise ValidationError(_("This call-back is already closed."), code="closed")
        CallbackAttempt.objects.create(callback=locked, agent=agent, outcome=outcome, note=note[:300], at=now)
        locked.attempts += 1
        fields = ["attempts"]
        if locked.owner_id is None:
            locked.owner = agent
            fields.append("owner")
        claim = locked.claim
        if outcome == CallbackOutcome.REACHED:
            locked.status, locked.closed_at, locked.result = CallbackStatus.DONE, now, note[:1000]
            fields += ["status", "closed_at", "result"]
            ClaimEvent.objects.create(
                claim=claim,
                kind=EventKind.CALLBACK_DONE,
                actor=agent,
                actor_label=agent.public_name,
                created_at=now,
            )
            outbox_write(event="callback.completed", payload={"claim_id": claim.pk, "callback_id": locked.pk})
        elif locked.attempts >= settings.CALLBACK_MAX_ATTEMPTS:
            locked.status, locked.closed_at = CallbackStatus.UNREACHED, now
            fields += ["status", "closed_at"]
            ClaimEvent.objects.create(
                claim=claim,
                kind=EventKind.CALLBACK_DONE,
                actor=agent,
                actor_label=agent.public_name,
                data={"unreached": locked.attempts},
                created_at=now,
            )
            notify(
                user_ids=[claim.customer_id],
                event="callback.unreached",
                context={"reference": claim.reference},
                url=f"/claims/{claim.reference}/",
                dedupe_key=f"callback-unreached:{locked.pk}",
            )
        elif outcome == CallbackOutcome.CALL_LATER:
            locked.due_at = max(locked.due_at, now + settings.CALLBACK_RETRY_AFTER)
            locked.overdue_alerted_at = None
            fields += ["due_at", "overdue_alerted_at"]
        locked.save(update_fields=fields)
        audit_record(
            actor=agent,
            action="callback.attempt",
            obj=locked,
            after={"outcome": outcome, "attempts": locked.attempts, "status": locked.status},
        )
    return locked


def _tell_customers_late(callback_ids: list[int], now: datetime) -> None:
    """The promised call did not happen in time: apologise and name the new time (the page says the same,
    tickets.promises), and record the changed promise on the timeline."""
    items = []
    events = []
    for callback in Callback.objects.filter(pk__in=callback_ids).select_related("claim"):
        claim = callback.claim
        new = renewed_due(claim, SlaTarget.CALLBACK, callback.due_at, now)
        events.append(
            promise_event(claim, target=SlaTarget.CALLBACK, state=LATE, due=new, was=callback.due_at, now=now)
        )
        items.append(
            NotifyItem(
                user_ids=[claim.customer_id],
                event="promise.callback_late",
                context={"reference": claim.reference, "was": when(callback.due_at), "due_at": when(new)},
                url=f"/claims/{claim.reference}/",
                dedupe_key=f"callback-late:{callback.pk}:{callback.due_at.isoformat()}",
            )
        )
    ClaimEvent.objects.bulk_create(events)
    notify_many(items)


def callback_sweep_overdue(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Alert once for each pending call-back past its due time (set-based: one UPDATE … claims them)."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Callback.objects.select_for_update(skip_locked=True)
            .filter(status=CallbackStatus.PENDING, due_at__lte=now, overdue_alerted_at__isnull=True)
            .order_by("due_at")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return 0
        Callback.objects.filter(pk__in=ids).update(overdue_alerted_at=now)
        supervisors = User.objects.supervisor_ids()
        rows = Callback.objects.filter(pk__in=ids).values(
            "pk", "due_at", "owner_id", "claim__reference", "claim__assignee_id"
        )
        _tell_customers_late(ids, now)
        items = [
            NotifyItem(
                user_ids=sorted(
                    {u for u in (row["owner_id"], row["claim__assignee_id"]) if u} | set(supervisors)
                ),
                event="callback.overdue",
                context={"reference": row["claim__reference"], "due_at": _local(row["due_at"])},
                url="/agent/callbacks/",
                dedupe_key=f"callback-overdue:{row['pk']}:{row['due_at'].isoformat()}",
            )
            for row in rows
        ]
        notify_many(items)
    return len(ids)
