"""The SLA engine: due times from policies (data), pauses, and the sweep that records and alerts crossings.

- ``sla_start`` (claim filed), ``sla_on_status_change``, ``sla_on_agent_reply`` and
  ``sla_on_customer_reply`` set the claim's due-time columns in the caller's transaction; they return the
  fields they changed so the caller saves them with its own ``update_fields``.
- Each target has a due time and a warning time (75 % of the target, in the policy's business time), both
  columns on the claim. ``sla_next_check_at`` is the earliest threshold the sweep still has to look at: the
  sweep reads only claims whose check time has come (a partial index), so a steady-state run touches
  nothing but the claims actually crossing, however many are open.
- ``sla_sweep`` claims a batch with ``SKIP LOCKED`` (two beats never take the same rows), inserts the
  crossings with one ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING`` (unique per claim, target, level
  and due time: a re-run or a second beat records nothing twice), moves each claim's check time to its
  next future threshold in one ``UPDATE``, escalates, and writes the alerts to the outbox, all in one
  transaction per batch.
"""

from __future__ import annotations

import time as _time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.db.models.functions import Coalesce, Greatest, Least, NullIf
from django.utils import timezone

from helpdesk.business_time import BusinessCalendar
from helpdesk.models import Role, User
from helpdesk.notifications import NotifyItem, notify_many
from tickets.models import (
    OPEN_STATUSES,
    Claim,
    ClaimEvent,
    ClaimStatus,
    Priority,
    SlaCalendar,
    SlaLevel,
    SlaPolicy,
    SlaTarget,
    TeamMembership,
)

WARNING_FRACTION = Decimal("0.75")
_FAR = datetime(9999, 1, 1, tzinfo=UTC)  # "no threshold" inside LEAST(); NULL again afterwards
TARGET_LABELS = {  # English labels; notification templates translate them with {% translate %}
    SlaTarget.FIRST_RESPONSE: "first response",
    SlaTarget.NEXT_RESPONSE: "next response",
    SlaTarget.RESOLUTION: "resolution",
    SlaTarget.CALLBACK: "call-back",
}
# (target, warn column, due column, condition under which the clock runs)
_CLOCKS: tuple[tuple[str, str, str, Q], ...] = (
    (
        SlaTarget.FIRST_RESPONSE,
        "first_response_warn_at",
        "first_response_due_at",
        Q(first_responded_at__isnull=True),
    ),
    (SlaTarget.NEXT_RESPONSE, "next_response_warn_at", "next_response_due_at", Q()),
    (SlaTarget.RESOLUTION, "resolution_warn_at", "resolution_due_at", Q()),
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
    "sla_next_check_at",
]


# --- Policies -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Policy:
    id: int
    platforms: frozenset[int]
    problem_types: frozenset[int]
    priorities: frozenset[int]
    min_amount: Decimal | None
    max_amount: Decimal | None
    high_value: bool | None
    targets: dict[str, timedelta]
    calendar: BusinessCalendar

    def matches(self, claim: Claim) -> bool:
        return (
            (not self.platforms or claim.platform_id in self.platforms)
            and (not self.problem_types or claim.problem_type_id in self.problem_types)
            and (not self.priorities or claim.priority in self.priorities)
            and (self.min_amount is None or claim.amount >= self.min_amount)
            and (self.max_amount is None or claim.amount < self.max_amount)
            and (self.high_value is None or claim.is_high_value == self.high_value)
        )


_policy_cache: tuple[float, list[Policy]] | None = None


def _load_policies() -> list[Policy]:
    rows = list(SlaPolicy.objects.filter(active=True).prefetch_related("platforms", "problem_types"))
    out = []
    for row in rows:
        targets: dict[str, timedelta] = {
            str(name): value
            for name, value in (
                (SlaTarget.FIRST_RESPONSE, row.first_response),
                (SlaTarget.NEXT_RESPONSE, row.next_response),
                (SlaTarget.RESOLUTION, row.resolution),
                (SlaTarget.CALLBACK, row.callback),
            )
            if value
        }
        calendar = (
            BusinessCalendar(always=True)
            if row.calendar == SlaCalendar.ALWAYS
            else BusinessCalendar(always=False, day_start=row.day_start, day_end=row.day_end)
        )
        out.append(
            Policy(
                id=row.pk,
                platforms=frozenset(p.pk for p in row.platforms.all()),
                problem_types=frozenset(p.pk for p in row.problem_types.all()),
                priorities=frozenset(int(p) for p in row.priorities or ()),
                min_amount=row.min_amount,
                max_amount=row.max_amount,
                high_value=row.high_value,
                targets=targets,
                calendar=calendar,
            )
        )
    return out


def policies() -> list[Policy]:
    """Active policies in order; each process keeps them CLAIM_REFERENCE_DATA_TTL seconds."""
    global _policy_cache
    ttl = settings.CLAIM_REFERENCE_DATA_TTL
    now = _time.monotonic()
    if ttl > 0 and _policy_cache is not None and _policy_cache[0] > now:
        return _policy_cache[1]
    loaded = _load_policies()
    _policy_cache = (now + ttl, loaded)
    return loaded


def forget_policies() -> None:
    global _policy_cache
    _policy_cache = None


def policy_for(claim: Claim) -> Policy | None:
    return next((p for p in policies() if p.matches(claim)), None)


def _policy_by_id(policy_id: int | None) -> Policy | None:
    return next((p for p in policies() if p.id == policy_id), None) if policy_id else None


def _window(policy: Policy, start: datetime, target: str) -> tuple[datetime | None, datetime | None]:
    duration = policy.targets.get(target)
    if duration is None:
        return None, None
    warn = policy.calendar.add(start, duration * float(WARNING_FRACTION))
    return warn, policy.calendar.add(start, duration)


# --- Clock changes (called by the claim services, inside their transactions) -----------------------------
def next_check(claim: Claim) -> datetime | None:
    """The earliest threshold still to look at; None when no clock runs (paused, finished, no policy).
    Past thresholds count too: the sweep records them (once) and moves on."""
    if claim.sla_paused_at is not None or claim.status not in OPEN_STATUSES:
        return None
    moments = [claim.next_response_warn_at, claim.next_response_due_at]
    moments += [claim.resolution_warn_at, claim.resolution_due_at]
    if claim.first_responded_at is None:
        moments += [claim.first_response_warn_at, claim.first_response_due_at]
    present = [m for m in moments if m is not None]
    return min(present) if present else None


def sla_start(claim: Claim, now: datetime) -> list[str]:
    """Set a new claim's policy and due times (no query when the policies are cached)."""
    policy = policy_for(claim)
    claim.sla_policy_id = policy.id if policy else None
    if policy is not None:
        claim.first_response_warn_at, claim.first_response_due_at = _window(
            policy, now, SlaTarget.FIRST_RESPONSE
        )
        claim.resolution_warn_at, claim.resolution_due_at = _window(policy, now, SlaTarget.RESOLUTION)
    claim.sla_next_check_at = next_check(claim)
    return SLA_FIELDS


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
    claim.sla_next_check_at = next_check(claim)
    return SLA_FIELDS


def _shift(claim: Claim, policy: Policy, paused_at: datetime, now: datetime) -> None:
    paused = policy.calendar.elapsed(paused_at, now)
    for _target, warn_col, due_col, _cond in _CLOCKS:
        for column in (warn_col, due_col):
            value = getattr(claim, column)
            if value is not None:
                setattr(claim, column, policy.calendar.add(value, paused))


def sla_on_status_change(claim: Claim, before: str, after: str, now: datetime) -> list[str]:
    """Pause while waiting on the customer, shift on resume, stop when finished, restart on reopen."""
    policy = _policy_by_id(claim.sla_policy_id)
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
    claim.sla_next_check_at = next_check(claim)
    return [f for f in SLA_FIELDS if f != "sla_policy"]


def sla_on_agent_reply(claim: Claim, now: datetime) -> list[str]:
    """A public answer from support meets the first-response target and stops the next-response clock."""
    fields = ["next_response_warn_at", "next_response_due_at", "sla_next_check_at"]
    if claim.first_responded_at is None:
        claim.first_responded_at = now
        fields.append("first_responded_at")
    claim.next_response_warn_at = claim.next_response_due_at = None
    claim.sla_next_check_at = next_check(claim)
    return fields


def sla_on_customer_reply(claim: Claim, now: datetime) -> list[str]:
    """After support has answered once, a customer's message starts the next-response clock (if not
    already running: a second message does not move the promise further away)."""
    policy = _policy_by_id(claim.sla_policy_id)
    if policy is None or claim.first_responded_at is None or claim.next_response_due_at is not None:
        return []
    claim.next_response_warn_at, claim.next_response_due_at = _window(policy, now, SlaTarget.NEXT_RESPONSE)
    claim.sla_next_check_at = next_check(claim)
    return ["next_response_warn_at", "next_response_due_at", "sla_next_check_at"]


def callback_due(claim: Claim, now: datetime) -> datetime | None:
    policy = _policy_by_id(claim.sla_policy_id) or policy_for(claim)
    if policy is None or SlaTarget.CALLBACK not in policy.targets:
        return None
    return policy.calendar.add(now, policy.targets[SlaTarget.CALLBACK])


# --- The sweep ----------------------------------------------------------------------------------------------
_INSERT_CROSSINGS = """
INSERT INTO tickets_slacrossing (claim_id, target, level, due_at, crossed_at)
SELECT claim_id, target, level, due_at, {now} FROM (
  SELECT id AS claim_id, 'first_response' AS target, 'warning' AS level, first_response_due_at AS due_at
    FROM tickets_claim WHERE id IN ({ids}) AND first_responded_at IS NULL AND first_response_warn_at <= {now}
  UNION ALL
  SELECT id, 'first_response', 'breach', first_response_due_at
    FROM tickets_claim WHERE id IN ({ids}) AND first_responded_at IS NULL AND first_response_due_at <= {now}
  UNION ALL
  SELECT id, 'next_response', 'warning', next_response_due_at
    FROM tickets_claim WHERE id IN ({ids}) AND next_response_warn_at <= {now}
  UNION ALL
  SELECT id, 'next_response', 'breach', next_response_due_at
    FROM tickets_claim WHERE id IN ({ids}) AND next_response_due_at <= {now}
  UNION ALL
  SELECT id, 'resolution', 'warning', resolution_due_at
    FROM tickets_claim WHERE id IN ({ids}) AND resolution_warn_at <= {now}
  UNION ALL
  SELECT id, 'resolution', 'breach', resolution_due_at
    FROM tickets_claim WHERE id IN ({ids}) AND resolution_due_at <= {now}
) AS crossed
WHERE true
ON CONFLICT (claim_id, target, level, due_at) DO NOTHING
RETURNING id, claim_id, target, level, due_at
"""


@dataclass(frozen=True)
class Crossing:
    id: int
    claim_id: int
    target: str
    level: str
    due_at: datetime


def _future(column: str, now: datetime, when: Q | None = None) -> Any:
    condition = Q(**{f"{column}__gt": now})
    if when is not None:
        condition &= when
    return Coalesce(
        Case(When(condition, then=F(column)), output_field=DateTimeField()),
        Value(_FAR, output_field=DateTimeField()),
    )


def _next_check_expression(now: datetime) -> Any:
    waiting = Q(first_responded_at__isnull=True)
    least = Least(
        _future("first_response_warn_at", now, waiting),
        _future("first_response_due_at", now, waiting),
        _future("next_response_warn_at", now),
        _future("next_response_due_at", now),
        _future("resolution_warn_at", now),
        _future("resolution_due_at", now),
    )
    return NullIf(least, Value(_FAR, output_field=DateTimeField()))


def sla_sweep(*, now: datetime | None = None, batch_size: int = 5000, max_batches: int = 100) -> int:
    """Record and alert every crossing that is due; returns how many crossings were recorded."""
    now = now or timezone.now()
    recorded = 0
    batch = _sweep_batch_postgres if connection.vendor == "postgresql" else _sweep_batch_portable
    for _ in range(max_batches):
        with transaction.atomic():
            seen, crossings = batch(now, batch_size)
            if crossings:
                _after_breaches(crossings, now)
                _alert(crossings)
            recorded += len(crossings)
        if seen < batch_size:
            break
    return recorded


_SWEEP_POSTGRES = """
WITH due AS (
  SELECT id FROM tickets_claim WHERE sla_next_check_at <= %(now)s
  ORDER BY sla_next_check_at LIMIT %(batch)s FOR UPDATE SKIP LOCKED
), crossed AS (
  INSERT INTO tickets_slacrossing (claim_id, target, level, due_at, crossed_at)
  SELECT c.id, t.target, t.level, t.due_at, %(now)s
  FROM tickets_claim c JOIN due ON due.id = c.id
  CROSS JOIN LATERAL (VALUES
    ('first_response', 'warning', c.first_response_due_at,
      c.first_responded_at IS NULL AND c.first_response_warn_at <= %(now)s),
    ('first_response', 'breach', c.first_response_due_at,
      c.first_responded_at IS NULL AND c.first_response_due_at <= %(now)s),
    ('next_response', 'warning', c.next_response_due_at, c.next_response_warn_at <= %(now)s),
    ('next_response', 'breach', c.next_response_due_at, c.next_response_due_at <= %(now)s),
    ('resolution', 'warning', c.resolution_due_at, c.resolution_warn_at <= %(now)s),
    ('resolution', 'breach', c.resolution_due_at, c.resolution_due_at <= %(now)s)
  ) AS t(target, level, due_at, hit)
  WHERE t.hit
  ON CONFLICT (claim_id, target, level, due_at) DO NOTHING
  RETURNING id, claim_id, target, level, due_at
), moved AS (
  UPDATE tickets_claim c SET
    sla_next_check_at = LEAST(
      CASE WHEN c.first_responded_at IS NULL AND c.first_response_warn_at > %(now)s
           THEN c.first_response_warn_at END,
      CASE WHEN c.first_responded_at IS NULL AND c.first_response_due_at > %(now)s
           THEN c.first_response_due_at END,
      CASE WHEN c.next_response_warn_at > %(now)s THEN c.next_response_warn_at END,
      CASE WHEN c.next_response_due_at > %(now)s THEN c.next_response_due_at END,
      CASE WHEN c.resolution_warn_at > %(now)s THEN c.resolution_warn_at END,
      CASE WHEN c.resolution_due_at > %(now)s THEN c.resolution_due_at END),
    -- built-in escalation: a breached first response raises the priority one step (never above P1)
    priority = CASE WHEN c.id IN (SELECT claim_id FROM crossed
                                  WHERE target = 'first_response' AND level = 'breach')
                    THEN GREATEST(c.priority - 1, 1) ELSE c.priority END
  FROM due WHERE c.id = due.id
  RETURNING c.id
)
SELECT (SELECT count(*) FROM moved),
       crossed.id, crossed.claim_id, crossed.target, crossed.level, crossed.due_at
FROM (SELECT 1) AS one LEFT JOIN crossed ON true
"""


def _sweep_batch_postgres(now: datetime, batch_size: int) -> tuple[int, list[Crossing]]:
    """One statement: lock a batch (SKIP LOCKED), record its crossings, move its check times, escalate."""
    with connection.cursor() as cursor:
        cursor.execute(_SWEEP_POSTGRES, {"now": now, "batch": batch_size})
        rows = cursor.fetchall()
    seen = int(rows[0][0]) if rows else 0
    crossings = [
        Crossing(id=r[1], claim_id=r[2], target=r[3], level=r[4], due_at=_aware(r[5]))
        for r in rows
        if r[1] is not None
    ]
    return seen, crossings


def _sweep_batch_portable(now: datetime, batch_size: int) -> tuple[int, list[Crossing]]:
    """The same in several statements, for SQLite (development)."""
    ids = list(
        Claim.objects.select_for_update(skip_locked=True)
        .filter(sla_next_check_at__lte=now)
        .order_by("sla_next_check_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    if not ids:
        return 0, []
    crossings = _record_crossings(ids, now)
    Claim.objects.filter(pk__in=ids).update(sla_next_check_at=_next_check_expression(now))
    breached = _first_response_breaches(crossings)
    if breached:
        Claim.objects.filter(pk__in=breached, priority__gt=Priority.P1).update(
            priority=Greatest(F("priority") - 1, Value(int(Priority.P1))), updated_at=now
        )
    return len(ids), crossings


def _record_crossings(ids: list[int], now: datetime) -> list[Crossing]:
    placeholders = ", ".join(["%s"] * len(ids))
    sql = _INSERT_CROSSINGS.replace("{ids}", placeholders).replace("{now}", "%s")
    # Raw SQL gets no field conversion: store the moment the way Django stores datetimes (UTC text).
    moment = connection.ops.adapt_datetimefield_value(now)
    params: list[Any] = [moment]
    for _ in range(6):
        params += ids
        params.append(moment)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [Crossing(id=r[0], claim_id=r[1], target=r[2], level=r[3], due_at=_aware(r[4])) for r in rows]


def _aware(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite returns text from RETURNING
        value = datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def _first_response_breaches(crossings: list[Crossing]) -> list[int]:
    return [
        c.claim_id for c in crossings if c.target == SlaTarget.FIRST_RESPONSE and c.level == SlaLevel.BREACH
    ]


def _after_breaches(crossings: list[Crossing], now: datetime) -> None:
    """A breached first response on an urgent claim gets a call-back (the issue's "we call you back")."""
    breached = _first_response_breaches(crossings)
    if breached:
        from tickets.callbacks import callbacks_for_breached_urgent

        callbacks_for_breached_urgent(breached, now)


def _supervisors() -> list[int]:
    return list(User.objects.filter(role=Role.SUPERVISOR, is_active=True).values_list("pk", flat=True))


def _alert(crossings: list[Crossing]) -> None:
    if not crossings:
        return
    claims = {
        c.pk: c
        for c in Claim.objects.filter(pk__in={x.claim_id for x in crossings}).only(
            "id", "reference", "assignee_id", "team_id", "customer_id", "sla_policy_id", "status"
        )
    }
    _tell_customers_late(crossings, claims)
    supervisors = _supervisors()
    teams = _team_member_ids() if any(c.team_id for c in claims.values()) else {}
    items = []
    for crossing in crossings:
        claim = claims.get(crossing.claim_id)
        if claim is None:
            continue
        recipients = set(teams.get(claim.team_id or 0, ()))
        if claim.assignee_id:
            recipients.add(claim.assignee_id)
        if crossing.level == SlaLevel.BREACH:
            recipients.update(supervisors)
        if not recipients:
            continue
        items.append(
            NotifyItem(
                user_ids=sorted(recipients),
                event=f"sla.{crossing.level}",
                context={
                    "reference": claim.reference,
                    "target_label": TARGET_LABELS[SlaTarget(crossing.target)],
                    "due_at": timezone.localtime(crossing.due_at).strftime("%Y-%m-%d %H:%M"),
                },
                url=f"/agent/tickets/{claim.reference}/",
                dedupe_key=f"sla:{crossing.id}",
            )
        )
    notify_many(items)


def _tell_customers_late(crossings: list[Crossing], claims: dict[int, Claim]) -> None:
    """A missed first reply or resolution: the customer gets an apology and the new time, and the claim's
    timeline records the changed promise (tickets.promises names the same time on the page)."""
    from tickets.promises import LATE, promise_event, when

    now = timezone.now()
    items = []
    events = []
    for crossing in crossings:
        claim = claims.get(crossing.claim_id)
        if (
            claim is None
            or crossing.level != SlaLevel.BREACH
            or crossing.target not in (SlaTarget.FIRST_RESPONSE, SlaTarget.RESOLUTION)
            or claim.status not in OPEN_STATUSES
            or claim.status == ClaimStatus.WAITING_ON_CUSTOMER
        ):
            continue
        new = renewed_due(claim, crossing.target, crossing.due_at, now)
        events.append(
            promise_event(claim, target=crossing.target, state=LATE, due=new, was=crossing.due_at, now=now)
        )
        items.append(
            NotifyItem(
                user_ids=[claim.customer_id],
                event=f"promise.{crossing.target}_late",
                context={"reference": claim.reference, "was": when(crossing.due_at), "due_at": when(new)},
                url=f"/claims/{claim.reference}/",
                dedupe_key=f"promise-late:{crossing.id}",
            )
        )
    ClaimEvent.objects.bulk_create(events)
    notify_many(items)


def _team_member_ids() -> dict[int, list[int]]:
    """Members of each team (a handful of rows: read once per sweep batch)."""
    members: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in TeamMembership.objects.values_list("team_id", "user_id"):
        members[team_id].append(user_id)
    return members


# --- What the customer is promised (tickets.promises reads these) -----------------------------------------
def target_window(claim: Claim, target: str) -> tuple[BusinessCalendar, timedelta] | None:
    """The claim's policy calendar and the duration of ``target``; None without a policy or target."""
    policy = _policy_by_id(claim.sla_policy_id) or policy_for(claim)
    if policy is None or target not in policy.targets:
        return None
    return policy.calendar, policy.targets[target]


def renewed_due(claim: Claim, target: str, due: datetime, now: datetime) -> datetime:
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
