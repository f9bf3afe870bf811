"""CSAT: the customer's 1-5 rating (``tickets.services.claim_rate`` records it) read by staff, a comment the
customer may add after rating, the report per agent, team, platform and problem type, and the alert to the
team lead for a low rating."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.audit import audit_record
from helpdesk.models import Role, User
from helpdesk.redaction import redact
from tickets.models import Claim, ClaimEvent, EventKind, TeamMembership

LOW_RATING = 2  # 1-2 out of 5 alerts the team lead

DIMENSIONS: dict[str, tuple[str, str]] = {
    "agent": ("assignee_id", "assignee__staff_number"),
    "team": ("team_id", "team__name"),
    "platform": ("platform_id", "platform__name"),
    "problem_type": ("problem_type_id", "problem_type__name_zh"),
}


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
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
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


def rated_claims(*, since: datetime) -> QuerySet[Claim]:
    # Ratings are given after resolution; the claim's resolution (or close) time dates the rating.
    return Claim.objects.filter(rating__isnull=False).filter(
        Q(resolved_at__gte=since) | Q(resolved_at__isnull=True, closed_at__gte=since)
    )


def csat_report(*, dimension: str, since: datetime) -> list[CsatRow]:
    """One grouped query per dimension."""
    key, label = DIMENSIONS[dimension]
    rows = (
        rated_claims(since=since)
        .values(key, label)
        .annotate(rated=Count("pk"), average=Avg("rating"), low=Count("pk", filter=Q(rating__lte=LOW_RATING)))
        .order_by(label)
    )
    return [
        CsatRow(
            key=row[key],
            label=row[label] or "—",
            rated=row["rated"],
            average=float(row["average"]) if row["average"] is not None else None,
            low=row["low"],
        )
        for row in rows
    ]


def recent_comments(*, since: datetime, limit: int = 20) -> list[Claim]:
    return list(
        rated_claims(since=since)
        .exclude(rating_comment="")
        .select_related("platform", "assignee")
        .only(
            "reference", "rating", "rating_comment", "platform__name", "assignee__staff_number", "resolved_at"
        )
        .order_by("-resolved_at", "-id")[:limit]
    )
