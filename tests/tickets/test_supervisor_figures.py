"""The supervisor's figures read kept counts (OpenClaimTally, kept by triggers) and must equal a plain count
of the open claims after any change, through any path: services, queryset updates, deletes, SET_NULL."""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Min, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpdesk.models import User
from tests.factories import ClaimFactory, TeamFactory
from tests.support.tickets import ensure_problem_types
from tickets.desk import queue as q
from tickets.desk import services as svc
from tickets.desk.tally import recounted, tally_compact, tally_counts, tally_recount
from tickets.models import OPEN_STATUSES, Claim, ClaimStatus, OpenClaimTally, Priority, Team

OPEN = sorted(s.value for s in OPEN_STATUSES)


@pytest.fixture
def other_team(db):
    return TeamFactory(slug="accounts", name="Accounts")


def plain_figures(now) -> dict[str, Any]:
    """The figures as one grouped pass over the open claims computed them before the tally (the reference)."""
    open_claims = Claim.objects.filter(status__in=OPEN)
    groups = (
        open_claims.order_by()
        .values("team_id", "priority", unassigned=ExpressionWrapper(Q(assignee__isnull=True), BooleanField()))
        .annotate(
            n=Count("id"),
            breached=Count("id", filter=q.breached_q(now)),
            at_risk=Count("id", filter=q.at_risk_q(now)),
            oldest=Min("created_at"),
        )
    )
    priorities: dict[int, int] = defaultdict(int)
    teams: dict[int | None, dict[str, Any]] = {}
    breached = at_risk = 0
    for row in groups:
        priorities[row["priority"]] += row["n"]
        breached += row["breached"]
        at_risk += row["at_risk"]
        team = teams.setdefault(
            row["team_id"],
            {
                "team_id": row["team_id"],
                "open": 0,
                "unassigned": 0,
                "oldest": None,
                "breached": 0,
                "at_risk": 0,
            },
        )
        team["open"] += row["n"]
        team["breached"] += row["breached"]
        team["at_risk"] += row["at_risk"]
        if row["unassigned"]:
            team["unassigned"] += row["n"]
            if team["oldest"] is None or row["oldest"] < team["oldest"]:
                team["oldest"] = row["oldest"]
    names = {t.pk: t.name for t in Team.objects.all()}
    agents = list(
        open_claims.filter(assignee__isnull=False)
        .order_by()
        .values_list("assignee_id")
        .annotate(open=Count("id"))
        .order_by("-open", "assignee_id")[:100]
    )
    return {
        "by_priority": [(str(label), priorities.get(value, 0)) for value, label in Priority.choices],
        "by_team": {t: {**row, "name": names.get(t, "—")} for t, row in teams.items()},
        "by_agent": agents,
        "breached": breached,
        "at_risk": at_risk,
        "oldest": list(open_claims.filter(assignee__isnull=True).order_by("created_at", "id")[:10]),
    }


def assert_figures_exact(*moments) -> None:
    assert tally_counts() == recounted()
    for now in moments or (timezone.now(),):
        expected = plain_figures(now)
        figures = q.supervisor_figures(now=now)
        assert figures.by_priority == expected["by_priority"]
        assert {row["team_id"]: row for row in figures.by_team} == expected["by_team"]
        assert [row["open"] for row in figures.by_team] == sorted(
            (r["open"] for r in figures.by_team), reverse=True
        )
        assert [(row["assignee_id"], row["open"]) for row in figures.by_agent] == expected["by_agent"]
        assert (figures.breached, figures.at_risk) == (expected["breached"], expected["at_risk"])
        assert figures.oldest_unassigned == expected["oldest"]


def _sla_mix(team, other_team, agents) -> list[Claim]:
    """Claims in every SLA state the figures tell apart: breached, at risk, in time, paused, no target,
    first response given, next response and resolution clocks, closed; with and without team and agent."""
    now = timezone.now()
    hour = timedelta(hours=1)
    states: list[dict[str, Any]] = [
        {"first_response_due_at": now - hour, "first_response_warn_at": now - 2 * hour},  # breached
        {"first_response_due_at": now + hour, "first_response_warn_at": now - hour},  # at risk
        {"first_response_due_at": now + 4 * hour, "first_response_warn_at": now + 3 * hour},  # in time
        {"first_response_due_at": now - hour, "sla_paused_at": now - hour},  # paused: neither
        {},  # no target
        {"first_response_due_at": now - hour, "first_responded_at": now - 2 * hour},  # answered in time
        {
            "first_responded_at": now,
            "next_response_due_at": now - hour,
            "next_response_warn_at": now - 2 * hour,
        },
        {"first_responded_at": now, "next_response_due_at": now + hour, "next_response_warn_at": now - hour},
        {"resolution_due_at": now + 2 * hour, "resolution_warn_at": now + hour},
        {"resolution_due_at": now - 5 * hour, "resolution_warn_at": now - 6 * hour},
        {"resolution_warn_at": now - hour},  # a warning without a due time still counts as at risk
        {"first_response_due_at": now - hour, "status": ClaimStatus.CLOSED},  # closed: not counted
    ]
    claims = []
    for i, state in enumerate(states):
        claims.append(
            ClaimFactory(
                team=[team, other_team, None][i % 3],
                assignee=[None, agents[0], agents[1]][(i // 3) % 3],
                priority=1 + i % 4,
                status=state.pop("status", [ClaimStatus.NEW, ClaimStatus.OPEN][i % 2]),
                created_at=now - timedelta(minutes=10 * (len(states) - i)),
                **state,
            )
        )
    return claims


def test_the_figures_equal_a_plain_count_in_every_sla_state(team, other_team, team_agent, supervisor):
    _sla_mix(team, other_team, [team_agent, supervisor])
    now = timezone.now()
    assert_figures_exact(now, now - timedelta(hours=3), now + timedelta(minutes=90), now + timedelta(hours=5))
    figures = q.supervisor_figures(now=now)
    assert figures.breached == 3 and figures.at_risk == 3  # the mix has three of each at this moment
    assert {row["name"] for row in figures.by_team} == {"Top-ups", "Accounts", "—"}


def test_the_figures_follow_every_service_change(team, other_team, team_agent, supervisor):
    claims = _sla_mix(team, other_team, [team_agent, supervisor])
    first, second, third = claims[0], claims[1], claims[2]
    assert_figures_exact()
    svc.claim_assign(claim=first, actor=supervisor, assignee=team_agent)
    assert_figures_exact()
    svc.claim_assign(claim=second, actor=supervisor, assignee=None)
    assert_figures_exact()
    svc.claim_override_priority(claim=third, actor=supervisor, priority=1, reason="VIP")
    assert_figures_exact()
    svc.claim_agent_reply(claim=first, agent=team_agent, body="我们正在处理。")
    assert_figures_exact()
    svc.claim_request_info(claim=first, agent=team_agent, body="请提供订单截图。")  # pauses the clock
    assert_figures_exact()
    svc.claim_set_status(claim=second, agent=supervisor, status=ClaimStatus.RESOLVED, reason="done")
    assert_figures_exact()
    svc.claim_set_status(claim=second, agent=supervisor, status=ClaimStatus.OPEN, reason="again")
    assert_figures_exact()
    svc.claim_escalate(claim=third, agent=supervisor, reason="refund over limit")
    assert_figures_exact()
    duplicate = ClaimFactory(team=team, customer=claims[3].customer)
    assert_figures_exact()
    svc.claim_merge(claim=duplicate, agent=supervisor, into=claims[3])
    assert_figures_exact()
    assert svc.claim_take_next(agent=team_agent) is not None
    assert_figures_exact()


def test_the_figures_follow_bulk_updates_deletes_and_set_null(team, other_team, team_agent, supervisor):
    claims = _sla_mix(team, other_team, [team_agent, supervisor])
    assert_figures_exact()
    Claim.objects.filter(priority__gt=Priority.P1).update(priority=F("priority") - 1)  # the sweep's bump
    assert_figures_exact()
    Claim.objects.filter(team=team).update(team=other_team, sla_paused_at=timezone.now())
    assert_figures_exact()
    Claim.objects.filter(pk=claims[5].pk).update(first_responded_at=None)  # a first-response clock again
    assert_figures_exact()
    Claim.objects.filter(status=ClaimStatus.CLOSED).update(status=ClaimStatus.OPEN)
    assert_figures_exact()
    claims[6].delete()
    assert_figures_exact()
    other_team.delete()  # Django sets the claims' team to NULL
    assert_figures_exact()
    User.objects.filter(pk=supervisor.pk).delete()  # and their assignee
    assert_figures_exact()
    Claim.objects.filter(status__in=OPEN).update(status=ClaimStatus.CLOSED)
    assert_figures_exact()
    assert q.supervisor_figures().by_team == [] and q.supervisor_figures().breached == 0


def test_random_changes_keep_the_tally_exact(team, other_team, team_agent, supervisor):
    rng = random.Random(17)
    claims = _sla_mix(team, other_team, [team_agent, supervisor]) + [
        ClaimFactory(team=team) for _ in range(6)
    ]
    now = timezone.now()
    moments = [None, now - timedelta(hours=2), now + timedelta(hours=2)]
    choices: dict[str, list[Any]] = {
        "status": [s.value for s in ClaimStatus],
        "team_id": [team.pk, other_team.pk, None],
        "assignee_id": [team_agent.pk, supervisor.pk, None],
        "priority": [1, 2, 3, 4],
        "sla_paused_at": moments,
        "first_responded_at": moments,
        "first_response_due_at": moments,
        "first_response_warn_at": moments,
        "next_response_due_at": moments,
        "next_response_warn_at": moments,
        "resolution_due_at": moments,
        "resolution_warn_at": moments,
    }
    for step in range(60):
        picked = rng.sample(claims, rng.randint(1, 4))
        fields = rng.sample(sorted(choices), rng.randint(1, 3))
        changes = {field: rng.choice(choices[field]) for field in fields}
        if step % 3 == 0:
            for claim in picked:  # one UPDATE statement per claim, as the services do
                Claim.objects.filter(pk=claim.pk).update(**changes)
        else:  # one statement for several claims, as bulk updates and the sweep do
            Claim.objects.filter(pk__in=[c.pk for c in picked]).update(**changes)
        if step % 10 == 9:
            assert_figures_exact(now, now + timedelta(hours=1))
    assert_figures_exact(now, now - timedelta(hours=3), now + timedelta(hours=3))


def test_compaction_folds_the_rows_and_keeps_the_counts(team, other_team, team_agent, supervisor):
    claims = _sla_mix(team, other_team, [team_agent, supervisor])
    for claim in [c for c in claims if c.team_id == team.pk]:
        svc.claim_assign(claim=claim, actor=supervisor, assignee=team_agent)
        svc.claim_assign(claim=claim, actor=supervisor, assignee=None)
    before = tally_counts()
    rows = OpenClaimTally.objects.count()
    left = tally_compact()
    assert left == OpenClaimTally.objects.count() == len(before) < rows
    assert not OpenClaimTally.objects.filter(n=0).exists()
    assert tally_counts() == before == recounted()
    assert tally_compact() == len(before)  # a second fold changes nothing
    assert_figures_exact()


def test_the_recount_repairs_a_drifted_tally_and_says_so(team, other_team, team_agent, supervisor, caplog):
    _sla_mix(team, other_team, [team_agent, supervisor])
    assert tally_recount() == 0
    OpenClaimTally.objects.create(team_id=team.pk, priority=1, assignee_id=None, clock_running=True, n=5)
    OpenClaimTally.objects.create(team_id=None, priority=4, assignee_id=None, clock_running=False, n=-1)
    assert tally_counts() != recounted()
    assert tally_recount() == 2
    assert "drifted in 2 groups" in caplog.text
    assert tally_counts() == recounted()
    assert_figures_exact()


def test_the_supervisor_page_keeps_its_query_count(login_as, team, other_team, team_agent, supervisor):
    client = login_as(supervisor)

    def queries() -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/agent/supervisor/").status_code == 200
        return len(ctx)

    ClaimFactory(team=team, assignee=team_agent)
    few = queries()
    _sla_mix(team, other_team, [team_agent, supervisor])
    for i in range(12):
        ClaimFactory(
            team=[team, other_team, None][i % 3], assignee=[None, team_agent][i % 2], priority=1 + i % 4
        )
    TeamFactory(slug="empty", name="Empty")
    assert queries() == few
    with CaptureQueriesContext(connection) as ctx:
        q.supervisor_figures()
    assert len(ctx) == 5  # tally and clocks, teams, claims without a team, agents, oldest unassigned


@pytest.mark.django_db(transaction=True)
def test_claim_writes_in_the_same_group_never_wait_on_each_other(postgres, django_user_model):
    """The tally is insert-only: two transactions moving claims into the same group do not block (a shared
    counter row would make the second wait for the first to commit)."""
    ensure_problem_types()
    team = TeamFactory(slug="tally-race")
    first, second = ClaimFactory(team=team, priority=4), ClaimFactory(team=team, priority=4)
    holding, done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_open_transaction() -> None:
        try:
            with transaction.atomic():
                Claim.objects.filter(pk=first.pk).update(priority=1)
                holding.set()
                done.wait(10)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=hold_open_transaction)
    thread.start()
    try:
        assert holding.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            Claim.objects.filter(pk=second.pk).update(priority=1)  # the same group: (team, P1, nobody)
    finally:
        done.set()
        thread.join()
    assert not errors
    assert tally_counts() == recounted()
    assert tally_counts()[(team.pk, 1, None, False)] == 2
