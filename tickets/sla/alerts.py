"""Who hears of an SLA crossing: the assignee and the claim's team of every warning and breach, the
supervisors of every breach, and the customer of a missed first reply or resolution (an apology with the
new time, the same time tickets.promises shows on the claim page). All through the outbox, in the
sweep's transaction, as one row per 500 notifications (the customers' and the staff's together)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from helpdesk.models import User
from helpdesk.notifications import NotifyItem, notify_many
from tickets.models import OPEN_STATUSES, ClaimEvent, ClaimStatus, SlaLevel, SlaTarget, TeamMembership
from tickets.promises import LATE, promise_event, when
from tickets.sla.clock import renewed_due
from tickets.sla.rows import ClaimRow

TARGET_LABELS = {  # English labels; notification templates translate them with {% translate %}
    SlaTarget.FIRST_RESPONSE: "first response",
    SlaTarget.NEXT_RESPONSE: "next response",
    SlaTarget.RESOLUTION: "resolution",
    SlaTarget.CALLBACK: "call-back",
}


@dataclass(frozen=True)
class Crossing:
    """A recorded ``SlaCrossing`` row (its id is the alerts' dedupe key)."""

    id: int
    claim_id: int
    target: str
    level: str
    due_at: datetime


# The claim columns the alerts read (tickets.sla.rows.ClaimRow carries them: no second read).
ALERT_COLUMNS = ("id", "reference", "assignee_id", "team_id", "customer_id", "sla_policy_id", "status")


def alert_crossings(crossings: list[Crossing], claims: Mapping[int, ClaimRow]) -> None:
    if not crossings:
        return
    items = _tell_customers_late(crossings, claims)
    supervisors = User.objects.supervisor_ids() if any(c.level == SlaLevel.BREACH for c in crossings) else []
    teams = _team_member_ids() if any(claims[c.claim_id].team_id for c in crossings) else {}
    for crossing in crossings:
        claim = claims[crossing.claim_id]
        recipients = set(teams.get(claim.team_id or 0, ()))
        if claim.assignee_id:
            recipients.add(claim.assignee_id)
        if crossing.level == SlaLevel.BREACH:
            recipients.update(supervisors)
        if not recipients:
            continue
        items.append(
            NotifyItem(
                user_ids=sorted(recipients),
                event=f"sla.{crossing.level}",
                context={
                    "reference": claim.reference,
                    "target_label": TARGET_LABELS[SlaTarget(crossing.target)],
                    "due_at": timezone.localtime(crossing.due_at).strftime("%Y-%m-%d %H:%M"),
                },
                url=f"/agent/tickets/{claim.reference}/",
                dedupe_key=f"sla:{crossing.id}",
            )
        )
    notify_many(items)


def _tell_customers_late(crossings: list[Crossing], claims: Mapping[int, ClaimRow]) -> list[NotifyItem]:
    """A missed first reply or resolution: the customer gets an apology and the new time (the returned
    notifications), and the claim's timeline records the changed promise (tickets.promises names the same
    time on the page)."""
    now = timezone.now()
    items = []
    events = []
    for crossing in crossings:
        claim = claims[crossing.claim_id]
        if (
            crossing.level != SlaLevel.BREACH
            or crossing.target not in (SlaTarget.FIRST_RESPONSE, SlaTarget.RESOLUTION)
            or claim.status not in OPEN_STATUSES
            or claim.status == ClaimStatus.WAITING_ON_CUSTOMER
        ):
            continue
        new = renewed_due(claim, crossing.target, crossing.due_at, now)
        events.append(
            promise_event(claim, target=crossing.target, state=LATE, due=new, was=crossing.due_at, now=now)
        )
        items.append(
            NotifyItem(
                user_ids=[claim.customer_id],
                event=f"promise.{crossing.target}_late",
                context={"reference": claim.reference, "was": when(crossing.due_at), "due_at": when(new)},
                url=f"/claims/{claim.reference}/",
                dedupe_key=f"promise-late:{crossing.id}",
            )
        )
    if events:
        ClaimEvent.objects.bulk_create(events)
    return items


def _team_member_ids() -> dict[int, list[int]]:
    """Members of each team (a handful of rows: read once per sweep batch)."""
    members: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in TeamMembership.objects.values_list("team_id", "user_id"):
        members[team_id].append(user_id)
    return members
