"""What happens after a claim changes: the outbox relay calls these (after commit, in Celery).

Services only write outbox rows with ids (``claim.filed``, ``claim.status_changed`` …); this module turns
them into notifications (the customer for filing, replies, questions and status changes; the assigned
agent for an assignment or a customer's reply, as Zendesk's default triggers do) and webhooks to the
claim's platform. Every event the tickets app writes is declared here and has a handler, or is declared
``recorded_only`` with the reason; otherwise the ``outbox.E001`` system check fails (``manage.py check``,
``runserver``, ``migrate``) and ``outbox_write`` refuses an undeclared event. These handlers only write
rows (bell entries, e-mail/SMS outbox rows, webhook deliveries): the relay commits their writes together
with marking the message done, so each happens once; notifications also carry a dedupe key derived from
the message.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from helpdesk.notifications import notify
from helpdesk.outbox import declare_events, outbox_handler, recorded_only
from helpdesk.webhooks import webhook_enqueue
from tickets.models import Callback, Claim, ClaimStatus
from tickets.promises import when

# Every event tickets/ writes (services, agent_services, callbacks); outbox_write refuses any other.
declare_events(
    "claim.filed",
    "claim.status_changed",
    "claim.replied",
    "claim.info_requested",
    "claim.assigned",
    "claim.customer_replied",
    "claim.evidence_added",
    "claim.resolution_confirmed",
    "claim.rated",
    "claim.escalated",
    "claim.merged",
    "callback.requested",
    "callback.completed",
    module=__name__,
)

# Deliberately nothing after commit; the outbox row, the audit entry and the timeline are the record.
recorded_only(
    "claim.evidence_added",
    reason="New files show on the claim's timeline; the customer usually adds them with a reply "
    "(claim.customer_replied tells the assignee). Not a platform webhook event.",
)
recorded_only(
    "claim.resolution_confirmed",
    reason="The customer's own confirmation of a claim already resolved: the customer knows, the platform "
    "was sent claim.resolved when it was resolved, the assignee sees it on the timeline.",
)
recorded_only(
    "claim.rated",
    reason="CSAT is read from the claim by the reports; telling the customer of their own rating is noise.",
)
recorded_only(
    "claim.escalated",
    reason="Internal: the timeline and the supervisor's figures show it; nothing for customer or platform.",
)
recorded_only(
    "claim.merged",
    reason="The merge closes the claim through claim.status_changed in the same transaction (customer "
    "notification and platform webhook); the customer's timeline names the claim it was merged into.",
)


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
            "assignee_id",
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
    # The promises made at filing (tickets.promises states them the same way on the claim page).
    promised = {}
    if claim.first_response_due_at:
        promised["first_reply_due"] = when(claim.first_response_due_at)
    if claim.resolution_due_at:
        promised["resolution_due"] = when(claim.resolution_due_at)
    _tell_customer(claim, "claim.filed", message_id, **promised)
    _webhook(claim, "claim.filed", message_id)


@outbox_handler("claim.status_changed")
def on_status_changed(message_id: int, payload: dict[str, Any]) -> None:
    claim = _claim(payload)
    if claim is None or payload.get("from") == payload.get("to"):
        return
    to = payload.get("to", claim.status)
    # Not for the customer's own changes (they know), nor for "waiting on you": the question itself
    # (claim.info_requested) tells them, once.
    if payload.get("by") != "customer" and to != ClaimStatus.WAITING_ON_CUSTOMER:
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


def _tell_assignee(claim: Claim, event: str, message_id: int, assignee_id: int | None) -> None:
    if not assignee_id:
        return
    notify(
        user_ids=[assignee_id],
        event=event,
        context={"reference": claim.reference, "platform": claim.platform.name, "subject": claim.subject},
        url=f"/agent/tickets/{claim.reference}/",
        dedupe_key=f"outbox:{message_id}",
    )


@outbox_handler("claim.assigned")
def on_assigned(message_id: int, payload: dict[str, Any]) -> None:
    """The new assignee hears of it, unless they took the claim themselves. Staffing is internal: no
    customer notification, no platform webhook."""
    assignee_id = payload.get("assignee_id")
    if not assignee_id or assignee_id == payload.get("by"):
        return
    claim = _claim(payload)
    if claim is not None and claim.assignee_id == assignee_id:  # not reassigned again since
        _tell_assignee(claim, "claim.assigned", message_id, assignee_id)


@outbox_handler("claim.customer_replied")
def on_customer_reply(message_id: int, payload: dict[str, Any]) -> None:
    """The assigned agent hears of the customer's answer; an unassigned claim waits in its team's queue."""
    claim = _claim(payload)
    if claim is not None:
        _tell_assignee(claim, "claim.customer_replied", message_id, claim.assignee_id)


# Expired guest drafts are purged by their own beat task (tickets.purge_draft_files, every 15 min, so a
# draft never outlives DRAFT_TTL by much), not by the hourly helpdesk.prune.
