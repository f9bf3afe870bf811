"""Outbox handlers of the insights app: a low rating alerts the team lead; data exports are built and
account deletions carried out by Celery after the request that asked for them committed."""

from __future__ import annotations

from typing import Any

from helpdesk.notifications import notify
from helpdesk.outbox import declare_events, outbox_handler
from insights.csat import LOW_RATING, team_lead_ids
from tickets.models import Claim

declare_events("data_export.requested", module=__name__)


@outbox_handler("claim.rated")
def on_rated(message_id: int, payload: dict[str, Any]) -> None:
    """A rating of 1 or 2 tells the supervisors of the claim's team (the bell, and e-mail/SMS if chosen)."""
    claim = (
        Claim.objects.select_related("platform")
        .only("id", "reference", "rating", "team_id", "subject", "platform__name")
        .filter(pk=int(payload.get("claim_id") or 0))
        .first()
    )
    if claim is None or claim.rating is None or claim.rating > LOW_RATING:
        return
    notify(
        user_ids=team_lead_ids(claim.team_id),
        event="claim.low_rating",
        context={"reference": claim.reference, "platform": claim.platform.name, "rating": claim.rating},
        url=f"/agent/tickets/{claim.reference}/",
        dedupe_key=f"outbox:{message_id}",
    )


@outbox_handler("data_export.requested", external=True)
def on_export_requested(message_id: int, payload: dict[str, Any]) -> None:
    """Hands the build to a worker (outside any transaction); the task claims the export once."""
    from insights.tasks import build_data_export

    build_data_export.delay(int(payload["export_id"]))
