"""CSAT: the customer's 1-5 rating (``tickets.claims.services.claim_rate`` records it) read by staff, a
comment the customer may add after rating, the report per agent, team, platform and problem type, and the
alert to the team lead for a low rating."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Platform, ProblemType
from helpdesk.audit import audit_record
from helpdesk.models import User
from helpdesk.redaction import redact
from insights.models import DailyRollup, Grain
from tickets.models import Claim, ClaimEvent, EventKind, Team, TeamMembership

LOW_RATING = 2  # 1-2 out of 5 alerts the team lead


# --- writes ---------------------------------------------------------------------------------------------
@transaction.atomic
def csat_comment_add(*, claim: Claim, actor: User, comment: str) -> Claim:
    """The customer adds a comment to a rating given without one (a rating with a comment stays as it is)."""
    if claim.customer_id != actor.pk:
        raise PermissionDenied
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.rating is None:
        raise ValidationError(_("Rate the claim first."), code="not_rated")
    if claim.rating_comment:
        raise ValidationError(_("You have already commented on your rating."), code="already_commented")
    text = redact(comment.strip()).text
    if not text:
        raise ValidationError(_("Write a comment first."), code="empty")
    claim.rating_comment = text[:2000]
    claim.updated_at = timezone.now()
    claim.save(update_fields=["rating_comment", "updated_at"])
    ClaimEvent.objects.create(
        claim=claim,
        kind=EventKind.RATED,
        actor=actor,
        body=claim.rating_comment,
        data={"rating": claim.rating},
    )
    audit_record(actor=actor, action="claim.rating_commented", obj=claim)
    return claim


# --- reads ----------------------------------------------------------------------------------------------
def team_lead_ids(team_id: int | None) -> list[int]:
    """Supervisors of the claim's team; a claim without a team (or a team without one) alerts every
    active supervisor, since supervisors see every team."""
    supervisors = User.objects.supervisors()
    if team_id is not None:
        members = list(
            supervisors.filter(
                pk__in=TeamMembership.objects.filter(team_id=team_id).values("user_id")
            ).values_list("pk", flat=True)
        )
        if members:
            return members
    return list(supervisors.values_list("pk", flat=True))


@dataclass(frozen=True)
class CsatRow:
    key: int | None
    label: str
    rated: int
    average: float | None
    low: int

    @property
    def low_share(self) -> float | None:
        return self.low / self.rated if self.rated else None


# dimension -> (roll-up cut, roll-up id column)
CUTS = {
    "agent": (Grain.AGENT, "assignee_id"),
    "team": (Grain.TEAM, "team_id"),
    "platform": (Grain.PLATFORM, "platform_id"),
    "problem_type": (Grain.PROBLEM_TYPE, "problem_type_id"),
}


def _labels(dimension: str, ids: list[int]) -> dict[int, str]:
    if dimension == "agent":
        return dict(User.objects.filter(pk__in=ids).values_list("pk", "staff_number"))
    if dimension == "team":
        return dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    if dimension == "platform":
        return dict(Platform.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {p.pk: p.name for p in ProblemType.objects.filter(pk__in=ids)}


def csat_report(*, dimension: str, since: date) -> list[CsatRow]:
    """Ratings of claims resolved since ``since`` (a day), per cut, from the daily roll-up: one grouped query
    over at most a few thousand rows plus one for the names, whatever the number of claims."""
    grain, column = CUTS[dimension]
    rows = (
        DailyRollup.objects.filter(grain=grain, day__gte=since, rated__gt=0)
        .values(column)
        .annotate(rated=Sum("rated"), rating_sum=Sum("rating_sum"), low=Sum("low_ratings"))
    )
    rows_list = list(rows)
    labels = _labels(dimension, [row[column] for row in rows_list if row[column] is not None])
    result = [
        CsatRow(
            key=row[column],
            label=labels.get(row[column], "—") or "—",
            rated=row["rated"],
            average=row["rating_sum"] / row["rated"] if row["rated"] else None,
            low=row["low"],
        )
        for row in rows_list
    ]
    return sorted(result, key=lambda r: (r.label == "—", r.label))


def recent_comments(*, since: datetime, limit: int = 20) -> list[ClaimEvent]:
    """The latest rating comments: timeline entries (walked newest first by id), not a scan of claims."""
    return list(
        ClaimEvent.objects.filter(kind=EventKind.RATED, created_at__gte=since)
        .exclude(body="")
        .select_related("claim", "claim__platform")
        .only("body", "data", "created_at", "claim__reference", "claim__platform__name")
        .order_by("-id")[:limit]
    )
