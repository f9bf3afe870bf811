"""Handled claims at chosen times, for the reports."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from tests.factories import ClaimFactory


def at(day, hour: int, minute: int = 0) -> datetime:
    """An aware datetime on ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def handled_claim(platform, day, *, rating: int | None = 5, first_after=timedelta(hours=1), **extra):
    """A claim filed at 09:00 on ``day``, answered after ``first_after``, resolved at 17:00, rated."""
    filed = at(day, 9)
    values = {
        "platform": platform,
        "created_at": filed,
        "first_responded_at": filed + first_after,
        "first_response_due_at": filed + timedelta(hours=2),
        "resolution_due_at": filed + timedelta(hours=10),
        "resolved_at": at(day, 17),
        "status": "resolved",
        "rating": rating,
        "amount": Decimal("100.00"),
    }
    values.update(extra)
    return ClaimFactory(**values)
