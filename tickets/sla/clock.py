"""The SLA clock: due times from policies, pause and resume, and when the sweep must look next.

- ``sla_start`` (claim filed), ``sla_on_status_change``, ``sla_on_agent_reply``, ``sla_on_customer_reply``
  and ``sla_reapply`` set the claim's due-time columns in the caller's transaction; they return the fields
  they changed so the caller saves them with its own ``update_fields``.
- Each target has a due time and a warning time (75 % of the target, in the policy's business time), both
  columns on the claim. ``CLOCKS`` says which columns make a clock and what stops it; ``thresholds`` and
  ``next_check`` are THE rule for what is still to be crossed, used by the clock changes here and by the
  sweep (tickets.sla.sweep) on every database alike.
- When the sweep must look next lives in the narrow ``SlaCheck`` table, written only by ``sla_schedule``:
  the clock changes call it for a saved claim; ``claim_create`` calls it once the new claim is inserted.

The clock knows nothing of call-backs or alerts (import-linter contract "tickets-sla-clock").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection

from helpdesk.business_time import BusinessCalendar
from tickets.models import OPEN_STATUSES, Claim, ClaimStatus, SlaCheck, SlaLevel, SlaTarget
from tickets.sla.arrays import pg_array
from tickets.sla.policies import Policy, policy_by_id, policy_for
from tickets.sla.rows import ClaimRow

WARNING_FRACTION = Decimal("0.75")


@dataclass(frozen=True)
class Clock:
    target: str
    warn_column: str
    due_column: str
    stopped_by: str | None = None  # a claim column that, once set, stops this clock for good


CLOCKS: tuple[Clock, ...] = (
    Clock(SlaTarget.FIRST_RESPONSE, "first_response_warn_at", "first_response_due_at", "first_responded_at"),
    Clock(SlaTarget.NEXT_RESPONSE, "next_response_warn_at", "next_response_due_at"),
    Clock(SlaTarget.RESOLUTION, "resolution_warn_at", "resolution_due_at"),
)
# Every claim column the rule reads (the sweep loads these and no more for it).
CLOCK_COLUMNS: tuple[str, ...] = (
    "status",
    "sla_paused_at",
    *sorted({c.stopped_by for c in CLOCKS if c.stopped_by}),
    *(column for c in CLOCKS for column in (c.warn_column, c.due_column)),
)
SLA_FIELDS = [
    "sla_policy",
    "first_response_warn_at",
    "first_response_due_at",
    "next_response_warn_at",
    "next_response_due_at",
    "resolution_warn_at",
    "resolution_due_at",
    "sla_paused_at",
]


@dataclass(frozen=True)
class Threshold:
    target: str
    level: str  # SlaLevel: warning (75 %) or breach
    at: datetime  # the moment it is crossed
    due_at: datetime  # the target's due time (what a crossing is recorded against)


# --- The rule ---------------------------------------------------------------------------------------------
def thresholds(claim: Claim | ClaimRow) -> list[Threshold]:
    """The thresholds of the claim's running clocks, past ones included; none while the clock is paused
    (waiting on the customer) or the claim is finished."""
    if claim.sla_paused_at is not None or claim.status not in OPEN_STATUSES:
        return []
    found = []
    for clock in CLOCKS:
        if clock.stopped_by is not None and getattr(claim, clock.stopped_by) is not None:
            continue
        due = getattr(claim, clock.due_column)
        if due is None:
            continue
        warn = getattr(claim, clock.warn_column)
        if warn is not None:
            found.append(Threshold(clock.target, SlaLevel.WARNING, warn, due))
        found.append(Threshold(clock.target, SlaLevel.BREACH, due, due))
    return found


def next_check(claim: Claim | ClaimRow, *, after: datetime | None = None) -> datetime | None:
    """When the sweep must look at the claim next: its earliest threshold (only those later than ``after``
    when given: the sweep has just recorded the rest). None when no clock runs. Past thresholds count
    when ``after`` is None: the next sweep records them, once."""
    return min((t.at for t in thresholds(claim) if after is None or t.at > after), default=None)


def sla_schedule(claims: Sequence[Claim | ClaimRow], *, after: datetime | None = None) -> None:
    """Write each claim's ``next_check`` to ``SlaCheck`` (the only writer of that table): a row while a
    clock runs, none otherwise. One statement on PostgreSQL and two at most elsewhere, whatever the number
    of claims; no model instance is built for the rows."""
    due_ids: list[int] = []
    due_at: list[datetime] = []
    done: list[int] = []
    for claim in claims:
        moment = next_check(claim, after=after)
        if moment is None:
            done.append(claim.pk)
        else:
            due_ids.append(claim.pk)
            due_at.append(moment)
    if connection.vendor == "postgresql":
        if due_ids or done:
            with connection.cursor() as cursor:
                cursor.execute(_SCHEDULE_POSTGRES, [pg_array(done), pg_array(due_ids), pg_array(due_at)])
        return
    if done:
        SlaCheck.objects.filter(claim_id__in=done).delete()
    if due_ids:
        SlaCheck.objects.bulk_create(
            [SlaCheck(claim_id=pk, next_check_at=moment) for pk, moment in zip(due_ids, due_at, strict=True)],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["claim"],
            update_fields=["next_check_at"],
        )


# The claims' rows are disjoint (a claim is either done or due), so the DELETE and the upsert share one
# statement; the arrays arrive as single parameters (tickets.sla.arrays).
_SCHEDULE_POSTGRES = (
    "WITH done AS (DELETE FROM tickets_slacheck WHERE claim_id = ANY(%s::bigint[])) "
    "INSERT INTO tickets_slacheck (claim_id, next_check_at) "
    "SELECT * FROM UNNEST(%s::bigint[], %s::timestamptz[]) "
    "ON CONFLICT (claim_id) DO UPDATE SET next_check_at = EXCLUDED.next_check_at"
)


def _rescheduled(claim: Claim, fields: list[str]) -> list[str]:
    if claim.pk is not None:  # a new claim is scheduled by claim_create once it is inserted
        sla_schedule([claim])
    return fields


# --- Due times --------------------------------------------------------------------------------------------
def _window(policy: Policy, start: datetime, target: str) -> tuple[datetime | None, datetime | None]:
    duration = policy.targets.get(target)
    if duration is None:
        return None, None
    warn = policy.calendar.add(start, duration * float(WARNING_FRACTION))
    return warn, policy.calendar.add(start, duration)


def _shift(claim: Claim, policy: Policy, paused_at: datetime, now: datetime) -> None:
    paused = policy.calendar.elapsed(paused_at, now)
    for clock in CLOCKS:
        for column in (clock.warn_column, clock.due_column):
            value = getattr(claim, column)
            if value is not None:
                setattr(claim, column, policy.calendar.add(value, paused))


# --- Clock changes (called by the claim services, inside their transactions) -----------------------------
def sla_start(claim: Claim, now: datetime) -> list[str]:
    """Set a new claim's policy and due times (no query when the policies are cached). The claim is not
    inserted yet: ``claim_create`` calls ``sla_schedule([claim])`` once it is."""
    policy = policy_for(claim)
    claim.sla_policy_id = policy.id if policy else None
    if policy is not None:
        claim.first_response_warn_at, claim.first_response_due_at = _window(
            policy, now, SlaTarget.FIRST_RESPONSE
        )
        claim.resolution_warn_at, claim.resolution_due_at = _window(policy, now, SlaTarget.RESOLUTION)
    return _rescheduled(claim, SLA_FIELDS)


def sla_reapply(claim: Claim, now: datetime) -> list[str]:
    """Priority or policy inputs changed: recompute the running targets from the claim's start."""
    policy = policy_for(claim)
    claim.sla_policy_id = policy.id if policy else None
    start = claim.created_at
    if policy is None:
        claim.first_response_warn_at = claim.first_response_due_at = None
        claim.resolution_warn_at = claim.resolution_due_at = None
    else:
        if claim.first_responded_at is None:
            claim.first_response_warn_at, claim.first_response_due_at = _window(
                policy, start, SlaTarget.FIRST_RESPONSE
            )
        claim.resolution_warn_at, claim.resolution_due_at = _window(policy, start, SlaTarget.RESOLUTION)
        if claim.sla_paused_at is not None:
            # Time already spent waiting on the customer does not count against the new targets either.
            _shift(claim, policy, claim.sla_paused_at, now)
    return _rescheduled(claim, SLA_FIELDS)


def sla_on_status_change(claim: Claim, before: str, after: str, now: datetime) -> list[str]:
    """Pause while waiting on the customer, shift on resume, stop when finished, restart on reopen."""
    policy = policy_by_id(claim.sla_policy_id)
    if after == ClaimStatus.WAITING_ON_CUSTOMER and claim.sla_paused_at is None:
        claim.sla_paused_at = now
    elif before == ClaimStatus.WAITING_ON_CUSTOMER and claim.sla_paused_at is not None:
        if policy is not None:
            _shift(claim, policy, claim.sla_paused_at, now)
        claim.sla_paused_at = None
    if after in OPEN_STATUSES and before not in OPEN_STATUSES and policy is not None:
        # Reopened: a fresh resolution clock from now.
        claim.resolution_warn_at, claim.resolution_due_at = _window(policy, now, SlaTarget.RESOLUTION)
        claim.sla_paused_at = None
    return _rescheduled(claim, [f for f in SLA_FIELDS if f != "sla_policy"])


def sla_on_agent_reply(claim: Claim, now: datetime) -> list[str]:
    """A public answer from support meets the first-response target and stops the next-response clock."""
    fields = ["next_response_warn_at", "next_response_due_at"]
    if claim.first_responded_at is None:
        claim.first_responded_at = now
        fields.append("first_responded_at")
    claim.next_response_warn_at = claim.next_response_due_at = None
    return _rescheduled(claim, fields)


def sla_on_customer_reply(claim: Claim, now: datetime) -> list[str]:
    """After support has answered once, a customer's message starts the next-response clock (if not
    already running: a second message does not move the promise further away)."""
    policy = policy_by_id(claim.sla_policy_id)
    if policy is None or claim.first_responded_at is None or claim.next_response_due_at is not None:
        return []
    claim.next_response_warn_at, claim.next_response_due_at = _window(policy, now, SlaTarget.NEXT_RESPONSE)
    return _rescheduled(claim, ["next_response_warn_at", "next_response_due_at"])


# --- What the customer is promised (tickets.promises and tickets.callbacks read these) --------------------
def target_window(claim: Claim | ClaimRow, target: str) -> tuple[BusinessCalendar, timedelta] | None:
    """The claim's policy calendar and the duration of ``target``; None without a policy or target."""
    policy = policy_by_id(claim.sla_policy_id) or policy_for(claim)
    if policy is None or target not in policy.targets:
        return None
    return policy.calendar, policy.targets[target]


def callback_due(claim: Claim, now: datetime) -> datetime | None:
    """When a call-back promised now is due under the claim's policy; None when it promises none."""
    window = target_window(claim, SlaTarget.CALLBACK)
    if window is None:
        return None
    calendar, within = window
    return calendar.add(now, within)


def renewed_due(claim: Claim | ClaimRow, target: str, due: datetime, now: datetime) -> datetime:
    """A missed promise's new time: the same window again from the missed time, repeated until it lies in
    the future. Deterministic in ``due`` so the page, the timeline entry and the notification agree."""
    window = target_window(claim, target)
    calendar, step = window if window else (BusinessCalendar(always=True), settings.CALLBACK_DEFAULT_WITHIN)
    if step <= timedelta(0):
        step = settings.CALLBACK_DEFAULT_WITHIN
    new = calendar.add(due, step)
    for _ in range(1000):
        if new > now:
            break
        new = calendar.add(new, step)
    return new


def working_days(claim: Claim, target: str = SlaTarget.RESOLUTION) -> int | None:
    """The target stated in working days (office calendars only: 36 business hours on a 09–21 day is 3)."""
    window = target_window(claim, target)
    if window is None or window[0].always:
        return None
    calendar, duration = window
    day = datetime.combine(datetime(2000, 1, 1), calendar.day_end) - datetime.combine(
        datetime(2000, 1, 1), calendar.day_start
    )
    return max(1, -(-int(duration.total_seconds()) // int(day.total_seconds())))
