"""Writes of the platform integration: ingesting events, matching them (order facts, claims, outreach) and
a platform's outcome on its claim. Every write is audited in its transaction; status changes go through
``tickets.claims.services.claim_change_status`` (the same path as every other claim status change)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Field, Min
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts.models import Platform, ProblemType
from helpdesk.audit import audit_record
from helpdesk.models import PlatformApiKey, Role, User
from helpdesk.notifications import notify
from helpdesk.outbox import kick, outbox_write
from helpdesk.redaction import redact
from integrations.models import EventType, OrderFact, Outreach, OutreachOrder, PlatformEvent
from integrations.validation import MAX_BATCH, CleanEvent, EventErrors, clean_event
from tickets.claims.services import claim_change_status
from tickets.models import OPEN_STATUSES, Claim, ClaimEvent, ClaimStatus, EventKind


class BatchTooLarge(Exception):
    pass


class ClaimNotOpen(Exception):
    """The platform's outcome came for a claim that is already resolved or finished."""

    def __init__(self, claim: Claim) -> None:
        super().__init__(claim.reference)
        self.claim = claim


# --- ingestion -------------------------------------------------------------------------------------------
@dataclass
class IngestResult:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_response(self) -> dict[str, Any]:
        return {"accepted": len(self.accepted), "duplicates": len(self.duplicates), "errors": self.errors}


_COLUMNS = (
    "platform_id",
    "event_id",
    "type",
    "occurred_at",
    "received_at",
    "key_id",
    "customer_email",
    "customer_phone",
    "order_number",
    "amount",
    "currency",
    "product",
    "order_status",
    "paid_at",
    "merchant",
)


_PG_TYPES = {
    "platform_id": "bigint",
    "key_id": "bigint",
    "occurred_at": "timestamptz",
    "received_at": "timestamptz",
    "paid_at": "timestamptz",
    "amount": "numeric",
}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _insert_new(rows: list[dict[str, Any]]) -> set[str]:
    """One INSERT … ON CONFLICT DO NOTHING RETURNING for the batch: the ids it returns are the new events,
    the rest were already there. On PostgreSQL the batch travels as one JSON parameter read by
    ``jsonb_to_recordset`` (one parameter instead of 7,500 keeps the statement cheap to send, parse and
    plan); SQLite (≥ 3.35) gets a VALUES list."""
    if not rows:
        return set()
    fields = [
        cast(Field, PlatformEvent._meta.get_field("platform" if name == "platform_id" else name))
        for name in _COLUMNS
    ]
    quote = connection.ops.quote_name
    table = quote(PlatformEvent._meta.db_table)
    columns = ", ".join(quote(str(f.column)) for f in fields)
    conflict = f"({quote('platform_id')}, {quote('event_id')})"
    returning = quote("event_id")
    params: list[Any]
    if connection.vendor == "postgresql":
        record = ", ".join(f"{name} {_PG_TYPES.get(name, 'text')}" for name in _COLUMNS)
        payload = [{name: _json_value(row[name]) for name in _COLUMNS} for row in rows]
        # Empty texts stay empty (the columns are NOT NULL); missing numbers and times are NULL.
        select = ", ".join(name if name in _PG_TYPES else f"coalesce({name}, '')" for name in _COLUMNS)
        params = [json.dumps(payload, ensure_ascii=False)]
        source = f"SELECT {select} FROM jsonb_to_recordset(%s::jsonb) AS r({record})"  # noqa: S608
    else:
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        params = [
            model_field.get_db_prep_save(row[name], connection)
            for row in rows
            for name, model_field in zip(_COLUMNS, fields, strict=True)
        ]
        source = "VALUES " + ", ".join([one] * len(rows))
    # Only our own column names are formatted into the statement; every value is a parameter.
    sql = f"INSERT INTO {table} ({columns}) {source} ON CONFLICT {conflict} DO NOTHING RETURNING {returning}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {value for (value,) in cursor.fetchall()}


def events_ingest(*, key: PlatformApiKey, items: Sequence[Any]) -> IngestResult:
    """Store a platform's events: valid ones kept, invalid ones reported by index, each event id once.

    Set-based: one INSERT for the batch (after one pass of checks), one audit entry naming the key and the
    event ids; matching runs in Celery after commit."""
    if len(items) > MAX_BATCH:
        raise BatchTooLarge
    result = IngestResult()
    now = timezone.now()
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        try:
            event = clean_event(item, now=now)
        except EventErrors as exc:
            result.errors.append({"index": index, "error": exc.as_error()})
            continue
        if event.event_id in seen:  # the same id twice in one batch: the first one counts
            result.duplicates.append(event.event_id)
            continue
        seen.add(event.event_id)
        rows.append(_row(event, platform_id=key.platform_id, key_id=key.pk, now=now))
    with transaction.atomic():
        inserted = _insert_new(rows)
        for row in rows:
            (result.accepted if row["event_id"] in inserted else result.duplicates).append(row["event_id"])
        audit_record(
            actor=None,
            action="platform.events_received",
            obj=key,
            after={
                "platform_id": key.platform_id,
                "key": str(key),
                "accepted": result.accepted,
                "duplicates": result.duplicates,
                "invalid": [error["index"] for error in result.errors],
            },
        )
        if inserted:
            transaction.on_commit(_start_matching)
    return result


def _row(event: CleanEvent, *, platform_id: int, key_id: int, now: datetime) -> dict[str, Any]:
    return {
        "platform_id": platform_id,
        "event_id": event.event_id,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "received_at": now,
        "key_id": key_id,
        "customer_email": event.customer_email,
        "customer_phone": event.customer_phone,
        "order_number": event.order_number,
        "amount": event.amount,
        "currency": event.currency,
        "product": event.product,
        "order_status": event.order_status,
        "paid_at": event.paid_at,
        "merchant": event.merchant,
    }


def _start_matching() -> None:
    # By the task's name (integrations.tasks imports this module); a broker that is down does not fail the
    # request, and beat runs matching every 10 s anyway.
    kick("integrations.match_events")


# --- matching --------------------------------------------------------------------------------------------
def match_pending(*, batch_size: int = 1000, max_batches: int = 50) -> int:
    """Match events not matched yet, batch by batch; safe to run concurrently (``SKIP LOCKED``)."""
    done = 0
    for _batch in range(max_batches):
        matched = _match_batch(batch_size)
        done += matched
        if matched < batch_size:
            break
    return done


def _lease_and_mark(batch_size: int) -> list[PlatformEvent]:
    """PostgreSQL: take the oldest unmatched events no other worker holds (SKIP LOCKED) and mark them
    matched, in one statement; the caller's transaction undoes the mark if matching fails."""
    quote = connection.ops.quote_name
    table = quote(PlatformEvent._meta.db_table)
    # Our own table name only; the values are parameters.
    oldest = f"SELECT id FROM {table} WHERE matched_at IS NULL ORDER BY received_at, id LIMIT %s"  # noqa: S608
    sql = f"UPDATE {table} SET matched_at = %s WHERE id IN ({oldest} FOR UPDATE SKIP LOCKED) RETURNING *"  # noqa: S608
    return sorted(PlatformEvent.objects.raw(sql, [timezone.now(), batch_size]), key=lambda e: e.pk)


def _match_batch(batch_size: int) -> int:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            events = _lease_and_mark(batch_size)
            if not events:
                return 0
            match_events_now(events)
            return len(events)
        events = list(
            PlatformEvent.objects.filter(matched_at=None).order_by("received_at", "id")[:batch_size]
        )
        if not events:
            return 0
        match_events_now(events)
        PlatformEvent.objects.filter(pk__in=[e.pk for e in events]).update(matched_at=timezone.now())
        return len(events)


def match_events_now(events: list[PlatformEvent]) -> None:
    """Customers, order facts, claims and outreach for these events (in the caller's transaction)."""
    _resolve_customers(events)
    keys = _update_order_facts(events)
    _retriage_claims(keys)
    _consider_outreach(events)


def _resolve_customers(events: list[PlatformEvent]) -> None:
    emails = {e.customer_email for e in events if e.customer_email}
    phones = {e.customer_phone for e in events if e.customer_phone and not e.customer_email}
    by_email: dict[str, int] = {}
    if emails:
        by_email = dict(
            User.objects.annotate(email_ci=Lower("email"))
            .filter(email_ci__in=emails, role=Role.CUSTOMER)
            .values_list("email_ci", "pk")
        )
    by_phone: dict[str, int] = {}
    if phones:
        counts = (
            User.objects.filter(phone__in=phones, role=Role.CUSTOMER)
            .values("phone")
            .annotate(n=Count("pk"), some=Min("pk"))
        )
        by_phone = {row["phone"]: row["some"] for row in counts if row["n"] == 1}  # ambiguous: nobody
    changed = []
    for event in events:
        found = by_email.get(event.customer_email) or by_phone.get(event.customer_phone)
        if found and event.customer_id != found:
            event.customer_id = found
            changed.append(event)
    if not changed:
        return
    if connection.vendor != "postgresql":
        PlatformEvent.objects.bulk_update(changed, ["customer"], batch_size=500)
        return
    quote = connection.ops.quote_name
    table = quote(PlatformEvent._meta.db_table)
    # Our own table name only; the data is one parameter.
    rows = "jsonb_to_recordset(%s::jsonb) AS r(id bigint, customer_id bigint)"
    sql = f"UPDATE {table} AS e SET customer_id = r.customer_id FROM {rows} WHERE e.id = r.id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps([{"id": e.pk, "customer_id": e.customer_id} for e in changed])])


_FACT_FIELDS = ("amount", "currency", "product", "status", "paid_at", "merchant")


def _update_order_facts(events: list[PlatformEvent]) -> set[tuple[int, str]]:
    with_order = sorted((e for e in events if e.order_number), key=lambda e: (e.occurred_at, e.pk))
    if not with_order:
        return set()
    keys = {(e.platform_id, e.order_number) for e in with_order}
    existing = OrderFact.objects.filter(
        platform_id__in={p for p, _n in keys}, order_number__in={n for _p, n in keys}
    ).order_by("pk")
    if connection.vendor == "postgresql":
        existing = existing.select_for_update()
    facts: dict[tuple[int, str], OrderFact] = {
        (f.platform_id, f.order_number): f for f in existing if (f.platform_id, f.order_number) in keys
    }
    now = timezone.now()
    for event in with_order:
        key = (event.platform_id, event.order_number)
        fact = facts.get(key)
        if fact is None:
            fact = facts[key] = OrderFact(
                platform_id=event.platform_id,
                order_number=event.order_number,
                last_event_type=event.type,
                last_event_at=event.occurred_at,
            )
        values = {
            "amount": event.amount,
            "currency": event.currency,
            "product": event.product,
            "status": event.order_status,
            "paid_at": event.paid_at,
            "merchant": event.merchant,
        }
        newest = event.occurred_at >= fact.last_event_at
        for name, value in values.items():
            # The newest event wins; an older one only fills what is still unknown.
            if value not in (None, "") and (newest or getattr(fact, name) in (None, "")):
                setattr(fact, name, value)
        if newest:
            fact.last_event_type, fact.last_event_at = event.type, event.occurred_at
        if event.type == EventType.TOPUP_FAILED:
            fact.topup_failed_at = max(filter(None, (fact.topup_failed_at, event.occurred_at)))
        elif event.type in (EventType.ORDER_DELIVERED, EventType.TOPUP_SUCCEEDED, EventType.ORDER_REISSUED):
            fact.delivered_at = max(filter(None, (fact.delivered_at, event.occurred_at)))
        fact.updated_at = now
    _upsert_facts(list(facts.values()))
    return keys


_FACT_COLUMNS = {
    "platform_id": "bigint",
    "order_number": "text",
    "amount": "numeric",
    "currency": "text",
    "product": "text",
    "status": "text",
    "paid_at": "timestamptz",
    "merchant": "text",
    "last_event_type": "text",
    "last_event_at": "timestamptz",
    "topup_failed_at": "timestamptz",
    "delivered_at": "timestamptz",
    "updated_at": "timestamptz",
}


def _upsert_facts(facts: list[OrderFact]) -> None:
    """One INSERT … ON CONFLICT DO UPDATE for the batch's facts (merged above with the existing rows,
    locked; a row another worker inserts meanwhile is merged by ``_merge_rule``)."""
    if connection.vendor != "postgresql":
        OrderFact.objects.bulk_create(
            facts,
            update_conflicts=True,
            unique_fields=["platform", "order_number"],
            update_fields=[name for name in _FACT_COLUMNS if name not in ("platform_id", "order_number")],
            batch_size=500,
        )
        return
    quote = connection.ops.quote_name
    names = list(_FACT_COLUMNS)
    record = ", ".join(f"{name} {kind}" for name, kind in _FACT_COLUMNS.items())
    select = ", ".join(name if _FACT_COLUMNS[name] != "text" else f"coalesce({name}, '')" for name in names)
    updates = ", ".join(
        f"{quote(n)} = {_merge_rule(n)}" for n in names if n not in ("platform_id", "order_number")
    )
    payload = [{name: _json_value(getattr(fact, name)) for name in names} for fact in facts]
    table = quote(OrderFact._meta.db_table)
    columns = ", ".join(quote(n) for n in names)
    # Our own column names only; the data is one parameter.
    source = f"SELECT {select} FROM jsonb_to_recordset(%s::jsonb) AS r({record})"  # noqa: S608
    conflict = f"({quote('platform_id')}, {quote('order_number')})"
    sql = f"INSERT INTO {table} AS t ({columns}) {source} ON CONFLICT {conflict} DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(payload, ensure_ascii=False)])


def _merge_rule(name: str) -> str:
    """The same merge as in Python, in SQL, for a fact another worker inserted meanwhile (new orders are
    not locked by the SELECT above): the newer event wins, an older one only fills what is unknown, and
    the failure and delivery times only move forward."""
    newer = "EXCLUDED.last_event_at >= t.last_event_at"
    if name in ("topup_failed_at", "delivered_at", "last_event_at"):
        return f"GREATEST(t.{name}, EXCLUDED.{name})"
    if name == "last_event_type":
        return f"CASE WHEN {newer} THEN EXCLUDED.{name} ELSE t.{name} END"
    if name == "updated_at":
        return "EXCLUDED.updated_at"
    if _FACT_COLUMNS[name] == "text":
        return f"CASE WHEN {newer} AND EXCLUDED.{name} <> '' THEN EXCLUDED.{name} WHEN t.{name} = '' THEN EXCLUDED.{name} ELSE t.{name} END"  # noqa: E501
    return f"CASE WHEN {newer} AND EXCLUDED.{name} IS NOT NULL THEN EXCLUDED.{name} ELSE COALESCE(t.{name}, EXCLUDED.{name}) END"  # noqa: E501


def _open_claims_for(keys: Iterable[tuple[int, str]]) -> list[Claim]:
    keys = set(keys)
    if not keys:
        return []
    candidates = Claim.objects.filter(
        status__in=OPEN_STATUSES,
        platform_id__in={p for p, _n in keys},
        order_number__in={n for _p, n in keys},
    ).order_by("pk")
    return [
        c
        for c in candidates.only("id", "platform_id", "order_number")
        if (c.platform_id, c.order_number) in keys
    ]


def _retriage_claims(keys: Iterable[tuple[int, str]]) -> None:
    """Facts that arrive after the claim move its urgency (and "why is this P1" says why)."""
    from tickets.triage.services import claim_retriage

    for claim in _open_claims_for(keys):
        claim_retriage(claim=claim)


def platform_claims_read(
    *, key: PlatformApiKey, statuses: list[str], after: tuple[datetime, int] | None, size: int
) -> tuple[list[Claim], bool]:
    """A page of the platform's claims; the read is audited like every inbound call (key, references)."""
    from integrations.selectors import platform_claims

    rows, more = platform_claims(platform_id=key.platform_id, statuses=statuses, after=after, size=size)
    audit_record(
        actor=None,
        action="platform.claims_listed",
        obj=key,
        after={"key": str(key), "statuses": statuses, "references": [c.reference for c in rows]},
    )
    return rows, more


def platform_events_prune(
    *, now: datetime | None = None, batch_size: int = 5000, max_batches: int = 100
) -> int:
    """Delete matched events older than PLATFORM_EVENT_RETENTION, batch by batch (their facts live on in
    order facts and outreaches). Idempotent; run by beat."""
    cutoff = (now or timezone.now()) - settings.PLATFORM_EVENT_RETENTION
    deleted = 0
    for _batch in range(max_batches):
        ids = list(
            PlatformEvent.objects.filter(matched_at__isnull=False, received_at__lt=cutoff)
            .order_by("received_at")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        deleted += PlatformEvent.objects.filter(pk__in=ids).delete()[0]
    return deleted


# --- outreach --------------------------------------------------------------------------------------------
OUTREACH_AFTER_FAILURES = 3
TOPUP_PROBLEM = "topup-not-credited"


def _consider_outreach(events: list[PlatformEvent]) -> None:
    failed = [e for e in events if e.type == EventType.TOPUP_FAILED and e.customer_id]
    if not failed:
        return
    window = settings.OUTREACH_FAILED_TOPUPS_WINDOW
    pairs = {(e.platform_id, e.customer_id) for e in failed}
    # One query narrows the work: only customers with enough failures around this batch.
    earliest = min(e.occurred_at for e in failed) - window
    latest = max(e.occurred_at for e in failed)
    busy = {
        (row["platform_id"], row["customer_id"])
        for row in PlatformEvent.objects.filter(
            type=EventType.TOPUP_FAILED,
            customer_id__in={c for _p, c in pairs},
            platform_id__in={p for p, _c in pairs},
            occurred_at__gte=earliest,
            occurred_at__lte=latest,
        )
        .values("platform_id", "customer_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=OUTREACH_AFTER_FAILURES)
    }
    # Once per customer, at their latest failure in the batch: events normally arrive in order, and the
    # rule counts every failure in the window before that moment.
    latest_of: dict[tuple[int, int], datetime] = {}
    for e in failed:
        pair = (e.platform_id, int(e.customer_id or 0))
        if pair in busy and (pair not in latest_of or e.occurred_at > latest_of[pair]):
            latest_of[pair] = e.occurred_at
    for (platform_id, customer_id), at in sorted(
        latest_of.items(), key=lambda item: (item[0][1], item[0][0])
    ):
        outreach_consider(platform_id=platform_id, customer_id=customer_id, at=at)


def outreach_consider(*, platform_id: int, customer_id: int, at: datetime) -> Outreach | None:
    """The third failed top-up within the window, with no success in between: reach out, once.

    Decided under a lock on the customer's row (two workers with events of the same customer take turns,
    and the second sees the first's outreach); the unique constraint on platform, customer and window start
    is the last word."""
    window = settings.OUTREACH_FAILED_TOPUPS_WINDOW
    with transaction.atomic():
        customer = User.objects.select_for_update().filter(pk=customer_id, role=Role.CUSTOMER).first()
        if customer is None:
            return None
        mine = PlatformEvent.objects.filter(platform_id=platform_id, customer_id=customer_id)
        last = (
            Outreach.objects.filter(platform_id=platform_id, customer_id=customer_id)
            .order_by("-window_start")
            .first()
        )
        if last is not None and last.window_start <= at < last.window_end:
            return None  # this window already has its outreach
        since = at - window
        if last is not None and last.window_end > since:
            since = last.window_end
        success = (
            mine.filter(type=EventType.TOPUP_SUCCEEDED, occurred_at__gte=since, occurred_at__lte=at)
            .order_by("-occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        failures = mine.filter(type=EventType.TOPUP_FAILED, occurred_at__gte=since, occurred_at__lte=at)
        if success is not None:
            failures = failures.filter(occurred_at__gt=success)
        failures_list = list(failures.order_by("occurred_at", "pk")[:50])
        if len(failures_list) < OUTREACH_AFTER_FAILURES:
            return None
        start = failures_list[0].occurred_at
        try:
            with transaction.atomic():
                outreach = Outreach.objects.create(
                    platform_id=platform_id, customer=customer, window_start=start, window_end=start + window
                )
        except IntegrityError:
            return None
        OutreachOrder.objects.bulk_create(
            [
                OutreachOrder(
                    outreach=outreach,
                    order_number=e.order_number,
                    amount=e.amount,
                    currency=e.currency,
                    product=e.product,
                    failed_at=e.occurred_at,
                )
                for e in failures_list
                if e.order_number
            ]
        )
        audit_record(
            actor=None,
            action="outreach.created",
            obj=outreach,
            after={
                "platform_id": platform_id,
                "customer_id": customer_id,
                "window_start": start,
                "events": [e.event_id for e in failures_list],
            },
        )
        _notify_outreach(outreach, customer)
        _retriage_claims((platform_id, e.order_number) for e in failures_list if e.order_number)
        return outreach


def topup_problem_type_id() -> int | None:
    return ProblemType.objects.filter(slug=TOPUP_PROBLEM).values_list("pk", flat=True).first()


def prefilled_claim_url(
    outreach: Outreach,
    orders: Sequence[OutreachOrder],
    *,
    language: str = "",
    problem_type_id: int | None = None,
) -> str:
    """The one-click claim: the claim form with the platform, the problem and the failed orders filled in."""
    problem = problem_type_id or topup_problem_type_id()
    latest = orders[-1] if orders else None
    with translation.override(language or settings.LANGUAGE_CODE):
        listed = "; ".join(f"{o.order_number} {o.amount or ''} {o.currency}".strip() for o in orders)
        description = _("My top-ups failed several times in a row. Failed orders: %(orders)s") % {
            "orders": listed
        }
    query: dict[str, Any] = {"platform": outreach.platform_id, "description": description}
    if problem:
        query["problem_type"] = problem
    if latest is not None:
        query["order_number"] = latest.order_number
        if latest.amount is not None:
            query["amount"] = str(latest.amount)
        if latest.product:
            query["product"] = latest.product
        query["paid_at"] = timezone.localtime(latest.failed_at).strftime("%Y-%m-%dT%H:%M")
    return f"/claims/new/?{urlencode(query)}"


def _notify_outreach(outreach: Outreach, customer: User) -> None:
    from contacts.selectors import platform_page, published_channels_of

    platform = Platform.objects.get(pk=outreach.platform_id)
    try:
        channels = published_channels_of(platform=platform_page(slug=platform.slug))
    except Http404:
        channels = []
    orders = list(outreach.orders.all())
    url = prefilled_claim_url(outreach, orders, language=customer.language)
    notify(
        user_ids=[customer.pk],
        event="outreach.created",
        context={
            "platform": platform.name,
            # Only the directory's published (verified) channels: the word "official" must be true.
            "channels": " · ".join(f"{c.label or c.get_kind_display()}: {c.value}" for c in channels[:5]),
            "orders": "; ".join(f"{o.order_number} {o.amount or ''} {o.currency}".strip() for o in orders),
            "claim_url": f"{settings.SITE_URL}{url}",
        },
        url=url,
        dedupe_key=f"outreach:{outreach.pk}",
    )


# --- outcomes --------------------------------------------------------------------------------------------
class Outcome:
    REFUNDED = "refunded"
    REISSUED = "reissued"
    REJECTED = "rejected"
    NEED_INFO = "need_info"
    ALL = (REFUNDED, REISSUED, REJECTED, NEED_INFO)


_OUTCOME_STATUS = {
    Outcome.REFUNDED: ClaimStatus.RESOLVED,
    Outcome.REISSUED: ClaimStatus.RESOLVED,
    Outcome.REJECTED: ClaimStatus.OPEN,  # back to the assigned team, with the platform's reason
    Outcome.NEED_INFO: ClaimStatus.WAITING_ON_CUSTOMER,
}


def claim_platform_outcome(
    *, key: PlatformApiKey, reference: str, outcome: str, message: str, amount: Decimal | None = None
) -> Claim:
    """The platform's answer on its own claim: a "platform outcome" timeline entry the customer and the
    agents see, and the status it implies (refunded/reissued → resolved, the customer asked to confirm;
    rejected → back to the team; need_info → waiting on the customer with the platform's question).

    Another platform's claim does not exist for this key (Http404)."""
    if outcome not in Outcome.ALL:
        raise ValueError(outcome)
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("platform")
            .filter(platform_id=key.platform_id, reference=reference.strip().upper())
            .first()
        )
        if claim is None:
            raise Http404
        if not claim.is_open:
            raise ClaimNotOpen(claim)
        text = redact(message.strip()).text
        data = {"outcome": outcome, "platform": claim.platform.name}
        if amount is not None:
            data["amount"] = str(amount)
        target = _OUTCOME_STATUS[outcome]
        now = timezone.now()
        if claim.status != target:
            extra: dict[str, Any] = {"resolved_at": now} if target == ClaimStatus.RESOLVED else {}
            claim_change_status(
                claim,
                None,
                target,
                kind=EventKind.PLATFORM_OUTCOME,
                action="claim.status_changed",
                body=text,
                by="platform",
                actor_label=claim.platform.name,
                event_data=data,
                **extra,
            )
            event = ClaimEvent.objects.filter(claim=claim).order_by("-id").first()
        else:
            event = ClaimEvent.objects.create(
                claim=claim,
                kind=EventKind.PLATFORM_OUTCOME,
                actor_label=claim.platform.name[:80],
                body=text,
                data={**data, "from": claim.status, "to": claim.status},
            )
            claim.updated_at = now
            claim.save(update_fields=["updated_at"])
        audit_record(
            actor=None,
            action="claim.platform_outcome",
            obj=claim,
            after={"outcome": outcome, "amount": amount, "key": str(key), "status": claim.status},
        )
        if outcome == Outcome.NEED_INFO:
            outbox_write(event="claim.info_requested", payload={"claim_id": claim.pk})
        outbox_write(
            event="claim.platform_outcome",
            payload={"claim_id": claim.pk, "outcome": outcome, "event_id": event.pk if event else None},
        )
    return claim
