"""Checking one inbound event, fast: a batch of 500 is checked item by item so one bad item never costs the
others, and a serializer per item would be most of the request's time. The OpenAPI schema describes the
same shape with serializers (``integrations.api.serializers``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from helpdesk.phones import normalize_personal_phone
from integrations.models import EventType

MAX_BATCH = 500
_TYPES = frozenset(EventType.values)
_MAX_AMOUNT = Decimal("9999999999.99")


@dataclass(frozen=True)
class CleanEvent:
    event_id: str
    type: str
    occurred_at: datetime
    customer_email: str = ""
    customer_phone: str = ""
    order_number: str = ""
    amount: Decimal | None = None
    currency: str = ""
    product: str = ""
    order_status: str = ""
    paid_at: datetime | None = None
    merchant: str = ""


class EventErrors(Exception):
    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(fields)
        self.fields = fields

    def as_error(self) -> dict[str, Any]:
        return {"code": "invalid", "message": _("This event is not valid."), "fields": self.fields}


def _text(value: Any, name: str, errors: dict[str, list[str]], *, max_length: int, required: bool) -> str:
    if value is None or value == "":
        if required:
            errors[name] = [_("This field is required.")]
        return ""
    if not isinstance(value, str):
        errors[name] = [_("Expected text.")]
        return ""
    text = value.strip()
    if "\x00" in text:
        errors[name] = [_("Null characters are not allowed.")]
        return ""
    if len(text) > max_length:
        errors[name] = [_("At most %(count)d characters.") % {"count": max_length}]
        return ""
    if required and not text:
        errors[name] = [_("This field is required.")]
    return text


def _when(
    value: Any, name: str, errors: dict[str, list[str]], *, required: bool, now: datetime
) -> datetime | None:
    if value is None or value == "":
        if required:
            errors[name] = [_("This field is required.")]
        return None
    parsed = None
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
    if parsed is None:
        errors[name] = [_("Expected an ISO 8601 time, e.g. 2026-12-02T14:30:00+08:00.")]
        return None
    if timezone.is_naive(parsed):
        errors[name] = [_("Give the time zone, e.g. 2026-12-02T14:30:00+08:00.")]
        return None
    if parsed.year < 2000 or parsed > now + timedelta(days=1):
        errors[name] = [_("This time is not plausible.")]
        return None
    return parsed


def _amount(value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errors["order.amount"] = [_('Expected an amount like "100.00".')]
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount > _MAX_AMOUNT:
        errors["order.amount"] = [_('Expected an amount like "100.00".')]
        return None
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        errors["order.amount"] = [_("At most two decimal places.")]
        return None
    return amount.quantize(Decimal("0.01"))


def clean_event(item: Any, *, now: datetime | None = None) -> CleanEvent:
    """The event, or EventErrors naming each bad field (``customer.email``, ``order.amount`` …)."""
    if not isinstance(item, dict):
        raise EventErrors({"non_field_errors": [_("Each event must be a JSON object.")]})
    errors: dict[str, list[str]] = {}
    now = now or timezone.now()
    event_id = _text(item.get("id"), "id", errors, max_length=100, required=True)
    kind = item.get("type")
    if kind not in _TYPES:
        errors["type"] = [
            _("Unknown event type; expected one of: %(types)s.") % {"types": ", ".join(sorted(_TYPES))}
        ]
    occurred_at = _when(item.get("occurred_at"), "occurred_at", errors, required=True, now=now)

    customer = item.get("customer")
    email = phone = ""
    if not isinstance(customer, dict):
        errors["customer"] = [_("Expected an object with an email or a phone number.")]
    else:
        email = _text(customer.get("email"), "customer.email", errors, max_length=254, required=False).lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["customer.email"] = [_("Enter a valid email address.")]
                email = ""
        raw_phone = _text(customer.get("phone"), "customer.phone", errors, max_length=32, required=False)
        if raw_phone:
            try:
                phone = normalize_personal_phone(raw_phone)
            except ValidationError as exc:
                errors["customer.phone"] = [str(m) for m in exc.messages]
        if not email and not phone and "customer.email" not in errors and "customer.phone" not in errors:
            errors["customer"] = [_("Give the customer's email or phone number.")]

    order = item.get("order")
    values: dict[str, Any] = {}
    if order is not None:
        if not isinstance(order, dict):
            errors["order"] = [_("Expected an object.")]
        else:
            values["order_number"] = _text(
                order.get("number"), "order.number", errors, max_length=64, required=True
            )
            # The contract's order: number, amount, currency, product, status and paid_at; merchant optional.
            if order.get("amount") in (None, ""):
                errors["order.amount"] = [_("This field is required.")]
            values["amount"] = _amount(order.get("amount"), errors)
            currency = _text(order.get("currency"), "order.currency", errors, max_length=3, required=True)
            if currency and (len(currency) != 3 or not currency.isalpha()):
                errors["order.currency"] = [_("Expected a three-letter currency code, e.g. CNY.")]
            values["currency"] = currency.upper()
            values["product"] = _text(
                order.get("product"), "order.product", errors, max_length=120, required=True
            )
            values["order_status"] = _text(
                order.get("status"), "order.status", errors, max_length=40, required=True
            )
            values["paid_at"] = _when(order.get("paid_at"), "order.paid_at", errors, required=True, now=now)
            values["merchant"] = _text(
                order.get("merchant"), "order.merchant", errors, max_length=120, required=False
            )
    if errors:
        raise EventErrors(errors)
    assert occurred_at is not None
    return CleanEvent(
        event_id=event_id,
        type=str(kind),
        occurred_at=occurred_at,
        customer_email=email,
        customer_phone=phone,
        **values,
    )
