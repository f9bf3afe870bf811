"""Reads for call-backs: the one number we may call, a claim's pending call-back, an agent's list."""

from __future__ import annotations

from django.db.models import Q

from contacts.selectors import callback_numbers
from helpdesk.models import User
from tickets.access import callbacks_visible_to
from tickets.models import Callback, CallbackStatus, Claim


def verified_phone(user: User) -> str:
    """The one number a call-back may go to: the customer's verified phone, or ""."""
    return user.phone if user.has_verified_phone else ""


def pending_callback(claim: Claim) -> Callback | None:
    return Callback.objects.filter(claim=claim, status=CallbackStatus.PENDING).first()


def callbacks_for_agent(*, agent: User, limit: int = 100) -> list[Callback]:
    """The call-back list: pending ones of the agent's teams (tickets.access) that the agent owns or nobody
    owns yet, soonest due first."""
    return list(
        callbacks_visible_to(agent)
        .filter(status=CallbackStatus.PENDING)
        .filter(Q(owner=agent) | Q(owner__isnull=True))
        .select_related("claim", "claim__platform")
        .order_by("due_at", "id")[:limit]
    )


def with_caller_numbers(callbacks: list[Callback]) -> list[Callback]:
    """Sets ``caller_number`` on each call-back (its platform's published call-back line, "" when the
    platform has none), one query for the whole list. Expects ``claim`` selected with the call-back."""
    numbers = callback_numbers(platform_ids={cb.claim.platform_id for cb in callbacks})
    for callback in callbacks:
        callback.caller_number = numbers.get(callback.claim.platform_id, "")
    return callbacks
