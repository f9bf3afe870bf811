"""The SLA sweep (beat, every minute): record each warning and breach once, escalate, call back, alert.

One batch, in one transaction, the same statements on PostgreSQL and SQLite:
1. lock the claims whose ``SlaCheck.next_check_at`` has come (the side table's index is the only entry
   point, so a steady-state run reads only the claims crossing, however many are open), oldest check
   first, ``FOR NO KEY UPDATE SKIP LOCKED``: two beats never take the same claims, and a claim a service
   is changing waits for the next run. The claims are locked, not only their check rows, because the
   crossings and timeline entries written for them take key-share locks on the claim: holding the claim
   first is what keeps a sweep and a service from waiting on each other;
2. insert their crossed thresholds (``tickets.sla.clock.thresholds``, the clock's own rule) with
   ``ON CONFLICT DO NOTHING RETURNING``: unique per claim, target, level and due time, so a re-run or a
   second beat records nothing twice and only what this run recorded is alerted;
3. move each claim's check to its next future threshold (``sla_schedule(after=now)``, the rule again):
   only the narrow side table is written, never the wide claim row;
4. a breached first response raises the claim's priority one step (never above P1), and an urgent one
   gets a call-back (tickets.callbacks: the sweep calls it; the clock knows nothing of call-backs);
5. alerts through the outbox (tickets.sla.alerts).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tickets.callbacks.services import callbacks_for_breached_urgent
from tickets.models import Claim, Priority, SlaCheck, SlaLevel, SlaTarget
from tickets.sla.alerts import Crossing, alert_crossings
from tickets.sla.arrays import pg_array
from tickets.sla.clock import sla_schedule, thresholds
from tickets.sla.rows import ROW_COLUMNS, ClaimRow

_INSERT_ROWS = 1000  # crossings per INSERT elsewhere than PostgreSQL (SQLite: 32,766 parameters, 5 a row)


def sla_sweep(*, now: datetime | None = None, batch_size: int = 5000, max_batches: int = 100) -> int:
    """Record and alert every crossing that is due; returns how many crossings were recorded."""
    now = now or timezone.now()
    recorded = 0
    for _ in range(max_batches):
        with transaction.atomic():
            claims = _lock_due(now, batch_size)
            if not claims:
                break
            crossings = _record_crossings(claims, now)
            sla_schedule(claims, after=now)
            if crossings:
                by_id = {claim.id: claim for claim in claims}
                _escalate(crossings, by_id, now)
                alert_crossings(crossings, by_id)
            recorded += len(crossings)
        if len(claims) < batch_size:
            break
    return recorded


def _lock_due(now: datetime, batch_size: int) -> list[ClaimRow]:
    """Two statements on purpose: the due ids from the side table's index (oldest check first), then those
    claims by primary key. As one join the planner, misled by the side table's churn, chose to scan every
    claim (440 ms at 300,000 open). Rows, not model instances: building ~25-field models was a third of
    the sweep's time (issue 17)."""
    due = list(
        SlaCheck.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("claim_id", flat=True)[:batch_size]
    )
    if not due:
        return []
    locked = (
        Claim.objects.select_for_update(skip_locked=True, no_key=True)
        .filter(pk__in=due)
        .order_by()  # the model's default ordering made PostgreSQL sort the batch before locking it
        .values_list(*ROW_COLUMNS)
    )
    return [ClaimRow._make(row) for row in locked]


def _record_crossings(claims: Sequence[ClaimRow], now: datetime) -> list[Crossing]:
    """Insert every threshold the batch has reached; returns only the rows this call inserted."""
    rows = [
        (claim.id, threshold.target, threshold.level, threshold.due_at)
        for claim in claims
        for threshold in thresholds(claim)
        if threshold.at <= now
    ]
    if not rows:
        return []
    if connection.vendor == "postgresql":
        chunks = [rows]  # one statement: the rows travel as four array parameters
    else:
        chunks = [rows[start : start + _INSERT_ROWS] for start in range(0, len(rows), _INSERT_ROWS)]
    recorded: list[Crossing] = []
    with connection.cursor() as cursor:
        for chunk in chunks:
            cursor.execute(*_insert_crossings_sql(chunk, now))
            recorded += [
                Crossing(id=r[0], claim_id=r[1], target=r[2], level=r[3], due_at=_aware(r[4]))
                for r in cursor.fetchall()
            ]
    return recorded


_INSERT_CROSSINGS = (
    "INSERT INTO tickets_slacrossing (claim_id, target, level, due_at, crossed_at) {rows} "
    "ON CONFLICT (claim_id, target, level, due_at) DO NOTHING "
    "RETURNING id, claim_id, target, level, due_at"
)


def _insert_crossings_sql(rows: list[tuple[int, str, str, datetime]], now: datetime) -> tuple[str, list[Any]]:
    """The one INSERT, its rows passed as four array literals on PostgreSQL (five parameters however many
    rows; tickets.sla.arrays) and as ``VALUES`` elsewhere."""
    if connection.vendor == "postgresql":
        source = (
            "SELECT claim_id, target, level, due_at, %s FROM UNNEST(%s::bigint[], %s::varchar[], "
            "%s::varchar[], %s::timestamptz[]) AS r(claim_id, target, level, due_at)"
        )
        return _INSERT_CROSSINGS.format(rows=source), [now, *(pg_array(c) for c in zip(*rows, strict=True))]
    adapt = connection.ops.adapt_datetimefield_value  # raw SQL: store moments the way Django does
    params: list[Any] = []
    for claim_id, target, level, due_at in rows:
        params += [claim_id, target, level, adapt(due_at), adapt(now)]
    values = "VALUES " + ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))  # placeholders only
    return _INSERT_CROSSINGS.format(rows=values), params


def _aware(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite returns text from RETURNING
        value = datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def _escalate(crossings: list[Crossing], claims: dict[int, ClaimRow], now: datetime) -> None:
    """Built-in escalation: a breached first response raises the priority one step (never above P1); an
    urgent one (P1-P2 by then) gets a call-back to the customer's verified phone."""
    breached = [
        c.claim_id for c in crossings if c.target == SlaTarget.FIRST_RESPONSE and c.level == SlaLevel.BREACH
    ]
    if not breached:
        return
    raised = [pk for pk in breached if claims[pk].priority > Priority.P1]
    if raised:
        # The rows are locked by this batch: the priorities read are the ones the UPDATE changes.
        Claim.objects.filter(pk__in=raised).update(priority=F("priority") - 1)
        for pk in raised:
            claims[pk] = claims[pk]._replace(priority=claims[pk].priority - 1)
    callbacks_for_breached_urgent(breached, now)
