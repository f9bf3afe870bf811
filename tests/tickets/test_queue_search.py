"""The queue's search (issue 17): a broad term walks the queue in order and stops after a page, a rare one is
found by the trigram index; either way the page is the first matches in queue order, within the agent's
teams, in a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ClaimFactory, TeamFactory
from tickets.desk import queue as q
from tickets.models import Claim, ClaimStatus

BROAD = "仍未到账"  # in every factory claim's description
RARE = "独一无二的描述"


@pytest.fixture
def short_walk(monkeypatch):
    """A walk of 8 claims, so a few dozen claims make a scope larger than the walk (a million, in small)."""
    monkeypatch.setattr(q, "SEARCH_WALK", 8)


def _claims(team, n, **fields):
    statuses = [ClaimStatus.NEW, ClaimStatus.OPEN, ClaimStatus.CLOSED, ClaimStatus.RESOLVED]
    return [
        ClaimFactory(
            team=team,
            priority=1 + (i * 7) % 4,
            urgency_score=(i * 37) % 90,
            status=statuses[i % len(statuses)],
            **fields,
        )
        for i in range(n)
    ]


def _in_queue_order(term):
    return list(
        Claim.objects.filter(search_text__contains=term.lower())
        .order_by(*q.QUEUE_ORDER)
        .values_list("pk", flat=True)
    )


def test_a_broad_term_shows_the_first_matches_in_queue_order_open_or_closed(team, team_agent, short_walk):
    _claims(team, 30)
    other_team = TeamFactory(slug="else", name="Else")
    _claims(other_team, 5)  # match too, but are another team's
    expected = list(Claim.objects.filter(team=team).order_by(*q.QUEUE_ORDER).values_list("pk", flat=True))
    page = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q=BROAD), size=5)
    assert [c.pk for c in page.claims] == expected[:5]
    assert {c.status for c in Claim.objects.filter(pk__in=expected)} >= {ClaimStatus.CLOSED, ClaimStatus.OPEN}
    # A broad term is not counted past its page: "5+".
    assert page.estimate == 5 and page.estimate_capped
    seen, cursor = [], ""
    while True:
        page = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q=BROAD), cursor=cursor, size=7)
        seen += [c.pk for c in page.claims]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected


def test_a_rare_term_beyond_the_walk_is_found_by_the_text_index_and_counted(team, team_agent, short_walk):
    _claims(team, 20)
    # The least urgent claims hold the term: the walk over the first 8 in queue order finds none of them.
    rare = _claims(team, 6, description=f"付款后{RARE}")
    Claim.objects.filter(pk__in=[c.pk for c in rare]).update(priority=4, urgency_score=0)
    page = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q=RARE), size=4)
    assert [c.pk for c in page.claims] == _in_queue_order(RARE)[:4]
    assert page.estimate == 6 and not page.estimate_capped and page.next_cursor
    rest = q.queue_for_agent(
        agent=team_agent, filters=q.QueueFilters(q=RARE), cursor=page.next_cursor, size=4
    )
    assert [c.pk for c in rest.claims] == _in_queue_order(RARE)[4:] and rest.estimate == 6


def test_a_term_fewer_claims_than_a_walk_are_searched_and_counted_whole(team, team_agent):
    _claims(team, 7)
    page = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q=BROAD), size=3)
    assert [c.pk for c in page.claims] == _in_queue_order(BROAD)[:3]
    assert page.estimate == 7 and not page.estimate_capped


def test_an_exact_identifier_comes_alone_even_when_the_text_matches_others(team, team_agent, short_walk):
    claims = _claims(team, 12)
    target = claims[5]
    # Every claim's text holds the order number's digits; the exact one is the only answer.
    found = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q=target.order_number.lower()))
    assert [c.pk for c in found.claims] == [target.pk]
    by_reference = q.queue_for_agent(
        agent=team_agent, filters=q.QueueFilters(q=f"  {target.reference.lower()} ")
    )
    assert [c.pk for c in by_reference.claims] == [target.pk]


def test_a_short_term_matches_identifiers_exactly_in_any_case(team, team_agent):
    claim = ClaimFactory(team=team, order_number="X1")
    ClaimFactory(team=team, order_number="X12")
    assert [c.pk for c in q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q="x1")).claims] == [
        claim.pk
    ]


def test_a_broad_search_never_shows_another_teams_claims(team, team_agent, short_walk):
    other_team = TeamFactory(slug="else", name="Else")
    _claims(other_team, 20)
    _claims(team, 3)
    page = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q=BROAD), size=50)
    assert {c.team.pk if c.team else None for c in page.claims} == {team.pk} and len(page.claims) == 3


@pytest.mark.parametrize(
    ("term", "budget"),
    [
        (BROAD, 6),  # session, user, 2FA device, the walk's bound, the walk, the tags
        (RARE, 7),  # … and the trigram query after a walk that found too few
        ("ZZ-404", 7),  # an exact identifier first (nothing has it), the bound, the walk, the trigram query
    ],
)
def test_a_search_page_keeps_its_query_budget_however_many_claims_match(
    login_as, team, team_agent, short_walk, term, budget
):
    client = login_as(team_agent)
    client.get("/agent/queue/")  # warms the cached filter options (reference data)
    counts = []
    for n in (10, 40):
        _claims(team, n)
        rare = _claims(team, 2, description=f"付款后{RARE}")
        Claim.objects.filter(pk__in=[c.pk for c in rare]).update(priority=4, urgency_score=0)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/agent/queue/", {"q": term, "size": 5})
        assert response.status_code == 200
        counts.append(len(ctx))
    assert counts == [budget, budget], "\n".join(query["sql"][:90] for query in ctx)
