"""What happens after a claim changes: the outbox relay calls these (after commit, in Celery).

Services only write outbox rows with ids (``claim.filed``, ``claim.status_changed`` …); this module turns
them into notifications for the customer (bell, and email/SMS if they chose them) and webhooks to the
claim's platform. Every handler is idempotent: notifications carry a dedupe key derived from the outbox
message, and webhook deliveries are keyed by it too.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from helpdesk.notifications import notify
from helpdesk.outbox import outbox_handler
from helpdesk.webhooks import webhook_enqueue
from tickets.models import Callback, Claim, ClaimStatus


def _claim(payload: dict[str, Any]) -> Claim | None:
    return (
        Claim.objects.select_related("platform", "problem_type")
        .only(
            "id",
            "reference",
            "status",
            "customer_id",
            "order_number",
            "amount",
            "currency",
            "priority",
            "created_at",
            "platform__slug",
            "problem_type__slug",
            "subject",
            "platform__name",
        )
        .filter(pk=int(payload.get("claim_id") or 0))
        .first()
    )


def webhook_data(claim: Claim) -> dict[str, Any]:
    """What a platform receives: enough to find and act on the order; nothing about the customer."""
    return {
        "reference": claim.reference,
        "status": claim.status,
        "platform": claim.platform.slug,
        "problem_type": claim.problem_type.slug,
        "order_number": claim.order_number,
        "amount": str(claim.amount),
        "currency": claim.currency,
        "priority": f"P{claim.priority}",
        "created_at": claim.created_at.isoformat(),
    }


def _tell_customer(claim: Claim, event: str, message_id: int, **context: Any) -> None:
    notify(
        user_ids=[claim.customer_id],
        event=event,
        context={
            "reference": claim.reference,
            "platform": claim.platform.name,
            "subject": claim.subject,
            **context,
        },
        url=f"/claims/{claim.reference}/",
        dedupe_key=f"outbox:{message_id}",
    )


def _webhook(claim: Claim, event: str, message_id: int, **extra: Any) -> None:
    webhook_enqueue(platform_id=claim.platform_id, event=event, data={**webhook_data(claim), **extra})


@outbox_handler("claim.filed")
def on_filed(message_id: int, payload: dict[str, Any]) -> None:
    claim = _claim(payload)
    if claim is None:
        return
    _tell_customer(claim, "claim.filed", message_id)
    _webhook(claim, "claim.filed", message_id)


@outbox_handler("claim.status_changed")
def on_status_changed(message_id: int, payload: dict[str, Any]) -> None:
    claim = _claim(payload)
    if claim is None or payload.get("from") == payload.get("to"):
        return
    to = payload.get("to", claim.status)
    if payload.get("by") != "customer":  # they know what they just did
        # The English label: the template translates it into each recipient's language.
        with translation.override("en"):
            label = str(ClaimStatus(to).label) if to in ClaimStatus.values else to
        _tell_customer(claim, "claim.status_changed", message_id, status_label=label)
    _webhook(claim, "claim.status_changed", message_id, previous_status=payload.get("from"))
    if to == ClaimStatus.RESOLVED:
        _webhook(claim, "claim.resolved", message_id)


@outbox_handler("claim.replied")
def on_agent_reply(message_id: int, payload: dict[str, Any]) -> None:
    claim = _claim(payload)
    if claim is None:
        return
    _tell_customer(claim, "claim.replied", message_id)
    _webhook(claim, "claim.replied", message_id)


@outbox_handler("claim.info_requested")
def on_info_requested(message_id: int, payload: dict[str, Any]) -> None:
    claim = _claim(payload)
    if claim is not None:
        _tell_customer(claim, "claim.info_requested", message_id)


@outbox_handler("callback.requested")
@outbox_handler("callback.completed")
def on_callback(message_id: int, payload: dict[str, Any]) -> None:
    claim = _claim(payload)
    callback = (
        Callback.objects.filter(pk=int(payload.get("callback_id") or 0))
        .only("id", "due_at", "status")
        .first()
    )
    if claim is None or callback is None:
        return
    event = "callback.completed" if callback.status != "pending" else "callback.requested"
    _webhook(claim, event, message_id, callback_due_at=callback.due_at.isoformat())
