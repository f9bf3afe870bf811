"""Platform events as a card platform posts them to the integrations API."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone


def event(
    event_id: str,
    kind: str = "topup.failed",
    *,
    email: str = "alice@example.com",
    at: datetime | None = None,
    order: dict[str, Any] | None = None,
    number: str | None = None,
    amount: str = "100.00",
    merchant: str = "",
) -> dict[str, Any]:
    when = at or timezone.now() - timedelta(minutes=5)
    body: dict[str, Any] = {
        "id": event_id,
        "type": kind,
        "occurred_at": when.isoformat(),
        "customer": {"email": email},
    }
    if order is not None:
        body["order"] = order
    elif number is not None:
        body["order"] = {
            "number": number,
            "amount": amount,
            "currency": "CNY",
            "product": "100元游戏点卡",
            "status": "paid",
            "paid_at": (when - timedelta(minutes=1)).isoformat(),
            **({"merchant": merchant} if merchant else {}),
        }
    return body
