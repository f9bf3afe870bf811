"""Who may see and act on which claim (team scoping): the one place every staff page, agent API endpoint,
call-back list and action, "other claims of this customer" panel, evidence download, presence call and bulk
action asks.

The rule:
- customers and directory admins are not staff of the claim desk: they see no claim here (their own claims
  are read through ``tickets.claims.selectors.claim_for_customer``);
- an agent sees and acts on the claims of the teams they belong to, and the call-backs and evidence of
  those claims; a claim without a team is nobody's but the supervisors';
- a supervisor sees every team (the supervisor view, the SLA report and the overdue call-back alerts are
  built on that: they count and link to every team's claims).

Anything outside this answers 404, exactly like an object that does not exist: another team's reference,
call-back id or evidence id is never confirmed.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from helpdesk.models import User
from tickets.models import Callback, Claim, TeamMembership

TEAM_IDS_TTL = 300  # seconds; a membership change clears the entry at once (tickets.apps)


def _team_ids_key(user_id: int) -> str:
    return f"agent:teams:{user_id}"


def team_ids_for(user: User) -> list[int]:
    """The user's team ids, from the cache (memberships change rarely; a change clears the entry).

    Kept on the user object too, so one request asks the cache once however many checks it makes.
    """
    cached = getattr(user, "_team_ids", None)
    if cached is None:
        key = _team_ids_key(user.pk)
        cached = cache.get(key)
        if cached is None:
            cached = list(TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))
            cache.set(key, cached, TEAM_IDS_TTL)
        user._team_ids = cached  # type: ignore[attr-defined]
    return cached


def forget_team_ids(user_id: int) -> None:
    cache.delete(_team_ids_key(user_id))


def sees_every_team(user: User) -> bool:
    return user.is_agent and user.is_supervisor


def may_see_team(user: User, team_id: int | None) -> bool:
    """May this user look at the team's claims (queue filter, filter options)?"""
    if not user.is_agent:
        return False
    if sees_every_team(user):
        return True
    return team_id is not None and team_id in team_ids_for(user)


def claims_visible_to(user: User) -> QuerySet[Claim]:
    """Every claim this staff user may see and act on.

    The ids are literal values, not a subquery: with one team the planner walks the team's queue index in
    order and stops after a page, instead of sorting the whole team's queue.
    """
    if not user.is_agent:
        return Claim.objects.none()
    if sees_every_team(user):
        return Claim.objects.all()
    return Claim.objects.filter(team_id__in=team_ids_for(user))


def may_handle(user: User, claim: Claim) -> bool:
    """The same rule as ``claims_visible_to`` for a claim already loaded (services re-check under lock)."""
    return may_see_team(user, claim.team_id)


def claim_for_agent(*, agent: User, reference: str) -> Claim:
    """The claim if this staff user may handle it, else 404 (another team's claim is not confirmed)."""
    # The reference is unique: no ORDER BY (``first()`` would sort by the model's ordering, and compiling
    # that against the select_related columns cost as much as the rest of the query).
    found = list(
        claims_visible_to(agent)
        .filter(reference=reference.strip().upper())
        .select_related("platform", "problem_type", "assignee", "team", "customer", "merged_into")
        .order_by()[:1]
    )
    if not found:
        raise Http404
    return found[0]


def other_claims_visible_to(user: User, claim: Claim) -> QuerySet[Claim]:
    """The customer's other claims that this user may open (another team's stay unlisted)."""
    return claims_visible_to(user).filter(customer_id=claim.customer_id).exclude(pk=claim.pk)


def callbacks_visible_to(user: User) -> QuerySet[Callback]:
    """Call-backs of the claims this user may see: the list shows phone numbers and verification codes."""
    if not user.is_agent:
        return Callback.objects.none()
    if sees_every_team(user):
        return Callback.objects.all()
    return Callback.objects.filter(claim__team_id__in=team_ids_for(user))


def callback_for_agent(*, agent: User, callback_id: int) -> Callback:
    callback = callbacks_visible_to(agent).filter(pk=callback_id).first()
    if callback is None:
        raise Http404
    return callback
