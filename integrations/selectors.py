"""Reads of the platform integration: order facts next to the customer's words, a platform's own claims
(keyset pages), a customer's outreaches, merchants' complaint rates, and the facts triage uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from contacts.models import Platform
from helpdesk.models import User
from integrations.models import EventType, OrderFact, Outreach, OutreachOrder
from tickets.models import Claim, ClaimStatus
from tickets.triage.selectors import FAILURE_TYPES

MERCHANT_PERIOD = timedelta(days=30)
# A payment time the platform gives that differs from the customer's by more than this is a mismatch.
TIME_TOLERANCE = timedelta(minutes=10)


def order_fact_for(*, platform_id: int, order_number: str) -> OrderFact | None:
    return OrderFact.objects.filter(platform_id=platform_id, order_number=order_number).first()


# --- merchant risk ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MerchantRate:
    platform_id: int
    platform_name: str
    merchant: str
    delivered: int
    claimed: int

    @property
    def rate(self) -> Decimal:
        return Decimal(self.claimed) / Decimal(self.delivered) if self.delivered else Decimal(0)

    @property
    def is_high(self) -> bool:
        return (
            self.delivered >= settings.MERCHANT_MIN_DELIVERED
            and self.rate >= settings.MERCHANT_COMPLAINT_RATE
        )


def merchant_rates(
    *, platform_id: int | None = None, merchant: str | None = None, now: datetime | None = None
) -> list[MerchantRate]:
    """Claims per delivered order over the last 30 days, per platform and merchant (one grouped query).
    A claim counts for the merchant of its order, as the platform's order facts name it."""
    since = (now or timezone.now()) - MERCHANT_PERIOD
    facts = OrderFact.objects.exclude(merchant="").filter(delivered_at__gte=since)
    if platform_id is not None:
        facts = facts.filter(platform_id=platform_id)
    if merchant is not None:
        facts = facts.filter(merchant=merchant)
    claimed = Exists(
        Claim.objects.filter(
            platform_id=OuterRef("platform_id"), order_number=OuterRef("order_number"), created_at__gte=since
        )
    )
    rows = (
        facts.values("platform_id", "platform__name", "merchant")
        .annotate(delivered=Count("pk"), claimed=Count("pk", filter=Q(claimed)))
        .order_by()
    )
    return [
        MerchantRate(
            platform_id=row["platform_id"],
            platform_name=row["platform__name"],
            merchant=row["merchant"],
            delivered=row["delivered"],
            claimed=row["claimed"],
        )
        for row in rows
    ]


def high_complaint_merchants(*, limit: int = 100) -> list[MerchantRate]:
    """The supervisors' list: merchants at or over the complaint rate, worst first."""
    rows = [row for row in merchant_rates() if row.is_high]
    return sorted(rows, key=lambda row: (-row.rate, -row.claimed, row.merchant))[:limit]


# --- triage ----------------------------------------------------------------------------------------------
def triage_extras_for(*, customer_id: int, platform_id: int, order_number: str) -> dict[str, Any]:
    """What the platform told us about this order, as ``tickets.triage.urgency.TriageInput`` fields."""
    # Whether there is a fact and an outreach, in one query (most orders have neither); the fact is read
    # only when there is one.
    known = (
        Platform.objects.filter(pk=platform_id)
        .annotate(
            has_fact=Exists(OrderFact.objects.filter(platform_id=platform_id, order_number=order_number)),
            proactive=Exists(
                OutreachOrder.objects.filter(
                    outreach__customer_id=customer_id,
                    outreach__platform_id=platform_id,
                    order_number=order_number,
                )
            ),
        )
        .values_list("has_fact", "proactive")
        .first()
    )
    has_fact, proactive = known or (False, False)
    extras: dict[str, Any] = {}
    fact = order_fact_for(platform_id=platform_id, order_number=order_number) if has_fact else None
    if fact is not None:
        extras["platform_confirmed_failed"] = fact.confirms_failed_paid_topup
        if fact.merchant:
            rates = merchant_rates(platform_id=platform_id, merchant=fact.merchant)
            extras["merchant_high_complaints"] = any(row.is_high for row in rates)
    extras["proactive"] = proactive
    return extras


# --- the agent's view: what the customer said, what the platform confirms --------------------------------
@dataclass(frozen=True)
class FactRow:
    label: str
    stated: str
    confirmed: str
    mismatch: bool


@dataclass(frozen=True)
class PlatformFacts:
    fact: OrderFact
    rows: list[FactRow]

    @property
    def mismatches(self) -> int:
        return sum(row.mismatch for row in self.rows)


_DELIVERED_EVENTS = {EventType.ORDER_DELIVERED, EventType.TOPUP_SUCCEEDED, EventType.ORDER_REISSUED}


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def platform_facts_for_claim(claim: Claim) -> PlatformFacts | None:
    fact = order_fact_for(platform_id=claim.platform_id, order_number=claim.order_number)
    if fact is None:
        return None
    rows = [
        FactRow(
            str(_("Amount")),
            f"{claim.amount} {claim.currency}",
            f"{fact.amount} {fact.currency}".strip() if fact.amount is not None else "—",
            fact.amount is not None
            and (fact.amount != claim.amount or (fact.currency or claim.currency) != claim.currency),
        ),
        FactRow(
            str(_("Payment time")),
            _local(claim.paid_at),
            _local(fact.paid_at),
            fact.paid_at is not None and abs(fact.paid_at - claim.paid_at) > TIME_TOLERANCE,
        ),
        FactRow(
            str(_("Order status")),
            str(claim.problem_type.name),
            " · ".join(filter(None, [str(EventType(fact.last_event_type).label), fact.status])),
            # The customer says it failed, the platform says it was delivered (or the other way round).
            (claim.problem_type.slug in FAILURE_TYPES) == (fact.last_event_type in _DELIVERED_EVENTS),
        ),
    ]
    if fact.product:
        rows.append(FactRow(str(_("Product")), claim.product, fact.product, False))
    if fact.merchant:
        rows.append(FactRow(str(_("Merchant")), "—", fact.merchant, False))
    return PlatformFacts(fact=fact, rows=rows)


# --- the platform's own claims ---------------------------------------------------------------------------
_CURSOR_SALT = "integrations.platform-claims"


def encode_cursor(claim: Claim) -> str:
    return signing.dumps([claim.created_at.isoformat(), claim.pk], salt=_CURSOR_SALT, compress=True)


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        created, pk = signing.loads(cursor, salt=_CURSOR_SALT)
        when = parse_datetime(str(created))
        return (when, int(pk)) if when is not None else None
    except (signing.BadSignature, ValueError, TypeError):
        return None


def platform_claims(
    *,
    platform_id: int,
    statuses: list[str] | None = None,
    after: tuple[datetime, int] | None = None,
    size: int = 50,
) -> tuple[list[Claim], bool]:
    """The platform's claims, newest first, one keyset page: (rows, more). Never the customer's contact."""
    claims: QuerySet[Claim] = Claim.objects.filter(platform_id=platform_id)
    if statuses:
        claims = claims.filter(status__in=statuses)
    if after is not None:
        created, pk = after
        claims = claims.filter(Q(created_at__lt=created) | Q(created_at=created, pk__lt=pk))
    rows = list(
        claims.select_related("problem_type")
        .only(
            "id",
            "reference",
            "order_number",
            "amount",
            "currency",
            "status",
            "created_at",
            "first_response_due_at",
            "resolution_due_at",
            "platform_id",
            "problem_type__slug",
        )
        .order_by("-created_at", "-id")[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    facts = {
        f.order_number: f
        for f in OrderFact.objects.filter(
            platform_id=platform_id, order_number__in={c.order_number for c in rows}
        )
    }
    for claim in rows:
        claim.platform_fact = facts.get(claim.order_number)  # type: ignore[attr-defined]
    return rows, more


VALID_STATUSES = frozenset(ClaimStatus.values)


# --- outreach --------------------------------------------------------------------------------------------
def outreaches_for_customer(*, customer: User, limit: int = 50) -> list[Outreach]:
    return list(
        Outreach.objects.filter(customer=customer)
        .select_related("platform")
        .prefetch_related(Prefetch("orders", queryset=OutreachOrder.objects.order_by("failed_at", "id")))
        .order_by("-created_at", "-id")[:limit]
    )
