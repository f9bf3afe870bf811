"""After commit (the outbox relay): tell the people a platform's outcome concerns."""

from __future__ import annotations

from typing import Any

from helpdesk.notifications import notify
from helpdesk.outbox import declare_events, outbox_handler
from tickets.models import Claim, TeamMembership

declare_events("claim.platform_outcome", module=__name__)


@outbox_handler("claim.platform_outcome")
def on_platform_outcome(message_id: int, payload: dict[str, Any]) -> None:
    """The agents on the claim hear of the platform's answer: the assignee, else the claim's team. (The
    customer hears through the status change, or the platform's question.)"""
    claim = (
        Claim.objects.select_related("platform")
        .only("id", "reference", "assignee_id", "team_id", "subject", "platform__name")
        .filter(pk=int(payload.get("claim_id") or 0))
        .first()
    )
    if claim is None:
        return
    if claim.assignee_id:
        people = [claim.assignee_id]
    elif claim.team_id:
        people = list(TeamMembership.objects.filter(team_id=claim.team_id).values_list("user_id", flat=True))
    else:
        people = []
    notify(
        user_ids=people,
        event="claim.platform_outcome",
        context={
            "reference": claim.reference,
            "platform": claim.platform.name,
            "subject": claim.subject,
            "outcome": str(payload.get("outcome", "")),
        },
        url=f"/agent/tickets/{claim.reference}/",
        dedupe_key=f"outbox:{message_id}",
    )
