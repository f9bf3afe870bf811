"""The agent workspace: who sees what, every action through the services, query budgets, take-next races."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from helpdesk.models import AuditEntry, OutboxMessage, User
from tests.factories import ClaimFactory, MacroFactory, TeamFactory, join_team
from tests.support.contacts import admin_a, admin_b, publish  # noqa: F401 - fixtures
from tests.support.tickets import ensure_problem_types
from tickets.desk import queue as q
from tickets.desk import services as svc
from tickets.models import Claim, ClaimEvent, ClaimStatus, EventKind, Priority, RoutingRule, Tag, Team


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()  # team ids, presence and filter options live in the cache
    yield
    cache.clear()


@pytest.fixture
def other_team(db):
    return TeamFactory(slug="accounts", name="Accounts")


@pytest.fixture
def outsider(other_team_agent, other_team):
    return join_team(other_team_agent, other_team)


def claim_in(team, **kwargs) -> Claim:
    return ClaimFactory(team=team, **kwargs)


# --- permissions ----------------------------------------------------------------------------------------
def test_a_customer_never_reaches_agent_urls(login_as, customer, team):
    claim = claim_in(team, customer=customer)
    client = login_as(customer)
    for url in (
        "/agent/queue/",
        f"/agent/tickets/{claim.reference}/",
        "/agent/supervisor/",
        f"/agent/tickets/{claim.reference}/presence/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/agent/queue/take-next/").status_code == 404
    assert client.post(f"/agent/tickets/{claim.reference}/note/", {"body": "x"}).status_code == 404
    assert client.get("/api/v1/agent/queue/").status_code == 404


def test_an_agent_outside_the_team_gets_404(login_as, team, outsider):
    claim = claim_in(team)
    client = login_as(outsider)
    assert client.get(f"/agent/tickets/{claim.reference}/").status_code == 404
    assert client.post(f"/agent/tickets/{claim.reference}/reply/", {"body": "hi"}).status_code == 404
    assert claim.reference not in client.get("/agent/queue/").content.decode()
    assert svc.claim_take_next(agent=outsider) is None


def test_the_team_agent_and_a_supervisor_see_the_claim(login_as, team, team_agent, supervisor):
    claim = claim_in(team)
    assert login_as(team_agent).get(f"/agent/tickets/{claim.reference}/").status_code == 200
    assert login_as(supervisor).get(f"/agent/tickets/{claim.reference}/").status_code == 200


# --- the workspace actions ------------------------------------------------------------------------------
def test_internal_notes_never_reach_the_customer(login_as, customer, team, team_agent):
    claim = claim_in(team, customer=customer)
    login_as(team_agent).post(f"/agent/tickets/{claim.reference}/note/", {"body": "内部备注：疑似欺诈"})
    assert ClaimEvent.objects.get(claim=claim, kind=EventKind.INTERNAL_NOTE).is_internal
    page = login_as(customer).get(f"/claims/{claim.reference}/").content.decode()
    assert "内部备注" not in page
    api = APIClient()
    api.force_authenticate(customer)
    assert "内部备注" not in api.get(f"/api/v1/claims/{claim.reference}/").content.decode()


def test_a_public_reply_reaches_the_customer_and_opens_the_claim(login_as, customer, team, team_agent):
    claim = claim_in(team, customer=customer)
    response = login_as(team_agent).post(f"/agent/tickets/{claim.reference}/reply/", {"body": "已为您核实"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN and claim.first_responded_at is not None
    assert OutboxMessage.objects.filter(event="claim.replied", payload__claim_id=claim.pk).exists()
    assert AuditEntry.objects.filter(action="claim.agent_replied", object_id=str(claim.pk)).exists()
    assert "已为您核实" in login_as(customer).get(f"/claims/{claim.reference}/").content.decode()


def test_a_macro_replies_sets_status_and_tags(team, team_agent):
    claim = claim_in(team)
    macro = MacroFactory(set_status=ClaimStatus.WAITING_ON_PLATFORM)
    macro.tags.add(Tag.objects.create(name="平台核实中"))
    svc.claim_agent_reply(claim=claim, agent=team_agent, body=macro.body, macro=macro)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WAITING_ON_PLATFORM
    assert list(claim.tags.values_list("name", flat=True)) == ["平台核实中"]
    changed = OutboxMessage.objects.get(event="claim.status_changed", payload__claim_id=claim.pk)
    assert changed.payload == {
        "claim_id": claim.pk,
        "from": "new",
        "to": "waiting_on_platform",
        "by": "staff",
    }


def test_requesting_information_waits_on_the_customer(team, team_agent):
    claim = claim_in(team)
    svc.claim_request_info(claim=claim, agent=team_agent, body="请提供转账凭证截图")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WAITING_ON_CUSTOMER
    assert OutboxMessage.objects.filter(event="claim.info_requested").exists()
    assert not ClaimEvent.objects.get(claim=claim, kind=EventKind.INFO_REQUESTED).is_internal


def test_rejecting_needs_a_reason_and_is_audited(team, team_agent):
    claim = claim_in(team)
    with pytest.raises(ValidationError) as refused:
        svc.claim_set_status(claim=claim, agent=team_agent, status=ClaimStatus.REJECTED)
    assert refused.value.code == "reason_required"
    svc.claim_set_status(
        claim=claim, agent=team_agent, status=ClaimStatus.REJECTED, reason="超出平台规定时限"
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and claim.closed_at
    assert AuditEntry.objects.filter(action="claim.status_changed", object_id=str(claim.pk)).exists()


def test_escalation_and_priority_override(team, team_agent, supervisor):
    claim = claim_in(team)
    svc.claim_escalate(claim=claim, agent=team_agent, reason="金额大，需主管")
    assert OutboxMessage.objects.filter(event="claim.escalated").exists()
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied: agents cannot override
        svc.claim_override_priority(claim=claim, actor=team_agent, priority=1, reason="x")
    svc.claim_override_priority(claim=claim, actor=supervisor, priority=1, reason="媒体关注")
    claim.refresh_from_db()
    assert claim.priority == Priority.P1 and claim.urgency_parts["override"]["reason"] == "媒体关注"
    entry = AuditEntry.objects.get(action="claim.priority_overridden")
    assert entry.reason == "媒体关注"


def test_assign_reassign_unassign_are_audited(team, team_agent, supervisor, other_team_agent):
    claim = claim_in(team)
    svc.claim_assign(claim=claim, actor=supervisor, assignee=team_agent)
    with pytest.raises(Exception):  # noqa: B017 - not in the claim's team
        svc.claim_assign(claim=claim, actor=supervisor, assignee=other_team_agent)
    svc.claim_assign(claim=claim, actor=team_agent, assignee=None)
    claim.refresh_from_db()
    assert claim.assignee is None
    assert AuditEntry.objects.filter(action="claim.assigned", object_id=str(claim.pk)).count() == 2
    assert OutboxMessage.objects.filter(event="claim.assigned").count() == 2


def test_merging_closes_the_duplicate(team, team_agent, customer):
    first = claim_in(team, customer=customer)
    duplicate = claim_in(team, customer=customer)
    svc.claim_merge(claim=duplicate, agent=team_agent, into=first)
    duplicate.refresh_from_db()
    assert duplicate.status == ClaimStatus.CLOSED and duplicate.merged_into == first
    assert OutboxMessage.objects.filter(event="claim.merged", payload__claim_id=duplicate.pk).exists()


# --- bulk -----------------------------------------------------------------------------------------------
def test_bulk_actions_go_through_the_services(login_as, team, team_agent, other_team):
    mine = [claim_in(team) for _ in range(3)]
    foreign = claim_in(other_team)
    client = login_as(team_agent)
    refs = [c.reference for c in mine] + [foreign.reference]
    client.post("/agent/queue/bulk/", {"claims": refs, "action": "tag", "tag": "批量"})
    assert Tag.objects.get(name="批量").claims.count() == 3  # the other team's claim was not even loaded
    client.post("/agent/queue/bulk/", {"claims": refs, "action": "status", "status": "waiting_on_platform"})
    assert set(Claim.objects.filter(team=team).values_list("status", flat=True)) == {"waiting_on_platform"}
    assert AuditEntry.objects.filter(action="claim.status_changed").count() == 3
    client.post("/agent/queue/bulk/", {"claims": refs[:3], "action": "assign_me"})
    assert Claim.objects.filter(assignee=team_agent).count() == 3
    foreign.refresh_from_db()
    assert foreign.status == ClaimStatus.NEW and not foreign.tags.exists()


def test_bulk_merge_keeps_the_first_selected(login_as, team, team_agent, customer):
    claims = [claim_in(team, customer=customer) for _ in range(3)]
    login_as(team_agent).post(
        "/agent/queue/bulk/", {"claims": [c.reference for c in claims], "action": "merge"}
    )
    statuses = [Claim.objects.get(pk=c.pk).status for c in claims]
    assert statuses == [ClaimStatus.NEW, ClaimStatus.CLOSED, ClaimStatus.CLOSED]


# --- the queue ------------------------------------------------------------------------------------------
def test_the_queue_is_ordered_by_priority_urgency_due_and_age(team, team_agent):
    now = timezone.now()
    p3 = claim_in(team, priority=3, urgency_score=200)
    p1_low = claim_in(team, priority=1, urgency_score=450)
    p1_high = claim_in(team, priority=1, urgency_score=600)
    p1_due = claim_in(team, priority=1, urgency_score=450, first_response_due_at=now + timedelta(hours=1))
    page = q.queue_for_agent(agent=team_agent)
    assert [c.pk for c in page.claims] == [p1_high.pk, p1_due.pk, p1_low.pk, p3.pk]


def test_keyset_pages_cover_the_queue_once(team, team_agent):
    claims = [claim_in(team, priority=1 + i % 4, urgency_score=i % 7) for i in range(23)]
    seen, cursor = [], ""
    while True:
        page = q.queue_for_agent(agent=team_agent, cursor=cursor, size=5)
        seen += [c.pk for c in page.claims]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(c.pk for c in claims) and len(seen) == len(set(seen))


def test_a_tampered_cursor_is_refused(team_agent):
    with pytest.raises(q.BadCursor):
        q.queue_for_agent(agent=team_agent, cursor="eyJmb28iOjF9:bad:sig")


def test_filters_and_search(team, team_agent, customer):
    now = timezone.now()
    breached = claim_in(team, first_response_due_at=now - timedelta(minutes=1))
    # At risk only once the 75 % warning moment has passed, not merely "due within the hour".
    risky = claim_in(
        team,
        first_response_due_at=now + timedelta(minutes=30),
        first_response_warn_at=now - timedelta(minutes=5),
    )
    fresh = claim_in(
        team,
        first_response_due_at=now + timedelta(minutes=10),
        first_response_warn_at=now + timedelta(minutes=7),
    )
    late = claim_in(team, late_filed=True, description="充值后游戏内一直显示处理中")
    mine = claim_in(team, assignee=team_agent, status=ClaimStatus.OPEN)
    by_email = claim_in(team, customer=customer)

    def refs(**kwargs):
        return {c.pk for c in q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(**kwargs)).claims}

    assert refs(sla="breached") == {breached.pk}
    assert refs(sla="at_risk") == {risky.pk}
    assert q.sla_state(fresh) == "" and q.sla_state(risky) == "at_risk"
    assert refs(late=True) == {late.pk}
    assert refs(mine=True) == {mine.pk}
    assert mine.pk not in refs(unassigned=True)
    assert refs(q="一直显示处理") == {late.pk}
    assert refs(q=late.reference.lower()) == {late.pk}
    assert refs(q=late.order_number) == {late.pk}
    assert refs(q="alice@example.com") == {by_email.pk}


@pytest.mark.parametrize("rows", [25, 200])
def test_the_queue_page_keeps_its_query_budget(
    login_as, team, team_agent, rows, django_assert_max_num_queries
):
    for i in range(rows + 5):
        claim = claim_in(team, priority=1 + i % 4, assignee=team_agent if i % 2 else None)
        claim.tags.add(Tag.objects.get_or_create(name=f"t{i % 3}")[0])
    client = login_as(team_agent)
    client.get("/agent/queue/")  # warms the cached filter options (reference data)
    with CaptureQueriesContext(connection) as html:
        response = client.get(f"/agent/queue/?size={rows}")
    assert response.status_code == 200 and response.content.decode().count("data-reference=") == rows
    assert len(html) <= 6, "\n".join(query["sql"][:150] for query in html)
    api = APIClient()
    api.force_authenticate(team_agent)
    with CaptureQueriesContext(connection) as api_queries:
        body = api.get(f"/api/v1/agent/queue/?size={rows}").json()
    assert len(body["results"]) == rows and body["next"]
    assert len(api_queries) <= 6, [query["sql"] for query in api_queries]


def test_the_query_count_does_not_grow_with_rows(login_as, team, team_agent):
    for i in range(205):
        claim_in(team, priority=1 + i % 4)
    client = login_as(team_agent)
    client.get("/agent/queue/")
    counts = []
    for size in (25, 200):
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/agent/queue/?size={size}")
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_the_api_pages_with_an_opaque_cursor_and_estimates(team, team_agent):
    for _ in range(7):
        claim_in(team)
    api = APIClient()
    api.force_authenticate(team_agent)
    first = api.get("/api/v1/agent/queue/?size=5").json()
    second = api.get("/api/v1/agent/queue/", {"size": 5, "cursor": first["next"]}).json()
    assert len(first["results"]) == 5 and len(second["results"]) == 2 and second["next"] is None
    assert first["estimate"] == 7 and first["estimate_capped"] is False
    assert api.get("/api/v1/agent/queue/?cursor=nonsense").status_code == 400


def test_take_next_assigns_the_most_urgent_unassigned(login_as, team, team_agent):
    claim_in(team, priority=3)
    urgent = claim_in(team, priority=1)
    claim_in(team, priority=1, assignee=team_agent, status=ClaimStatus.OPEN)
    response = login_as(team_agent).post("/agent/queue/take-next/")
    assert response.status_code == 302 and urgent.reference in response["Location"]
    urgent.refresh_from_db()
    assert urgent.assignee == team_agent and urgent.status == ClaimStatus.OPEN


def test_take_next_through_the_api(team, team_agent):
    claim = claim_in(team)
    api = APIClient()
    api.force_authenticate(team_agent)
    assert api.post("/api/v1/agent/queue/take-next/").json()["reference"] == claim.reference
    assert api.post("/api/v1/agent/queue/take-next/").status_code == 204


@pytest.mark.django_db(transaction=True)
def test_two_agents_taking_at_once_never_get_the_same_claim(postgres, django_user_model):
    ensure_problem_types()
    team = TeamFactory(slug="race")
    agents = [
        join_team(django_user_model.objects.create_user(f"racer{i}@example.com", role="agent"), team)
        for i in range(6)
    ]
    for i in range(4):
        ClaimFactory(team=team, priority=1 + i % 2)
    barrier = threading.Barrier(len(agents))
    taken: list[int | None] = []
    errors: list[BaseException] = []

    def take(agent) -> None:
        try:
            barrier.wait()
            claim = svc.claim_take_next(agent=agent)
            taken.append(claim.pk if claim else None)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    got = [pk for pk in taken if pk is not None]
    assert len(got) == 4 and len(set(got)) == 4  # four claims, four different agents, two got nothing
    assert Claim.objects.filter(assignee__isnull=False).count() == 4


# --- presence and supervisor ----------------------------------------------------------------------------
def test_presence_warns_of_a_colleague_on_the_same_claim(login_as, client, team, team_agent, supervisor):
    claim = claim_in(team)
    q.presence_touch(claim=claim, agent=supervisor)
    page = login_as(team_agent).get(f"/agent/tickets/{claim.reference}/").content.decode()
    assert supervisor.public_name in page
    queue_page = client.get("/agent/queue/").content.decode()
    assert supervisor.public_name in queue_page


def test_the_supervisor_view_shows_load_and_is_supervisors_only(login_as, team, team_agent, supervisor):
    claim_in(team, priority=1, first_response_due_at=timezone.now() - timedelta(minutes=1))
    claim_in(team, priority=2, assignee=team_agent, status=ClaimStatus.OPEN)
    figures = q.supervisor_figures()
    assert dict(figures.by_priority)["P1"] == 1 and figures.breached == 1
    assert figures.by_team[0]["open"] == 2 and figures.by_team[0]["unassigned"] == 1
    assert login_as(team_agent).get("/agent/supervisor/").status_code == 404
    client = login_as(supervisor)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/agent/supervisor/").status_code == 200
    assert len(ctx) <= 12


def test_supervisors_edit_routing_rules_audited(login_as, supervisor, team, team_agent, platform):
    client = login_as(supervisor)
    data = {
        "name": "星云 → 充值组",
        "position": 5,
        "is_active": "on",
        "platform": platform.pk,
        "team": team.pk,
    }
    assert client.post("/agent/supervisor/routing/", data).status_code == 302
    rule = RoutingRule.objects.get(name="星云 → 充值组")
    assert AuditEntry.objects.filter(action="routing_rule.created", object_id=str(rule.pk)).exists()
    bad = {**data, "min_amount": "500", "max_amount": "100"}
    assert client.post(f"/agent/supervisor/routing/?edit={rule.pk}", bad).status_code == 400
    client.post(f"/agent/supervisor/routing/?edit={rule.pk}", {**data, "delete": "1"})
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()
    assert AuditEntry.objects.filter(action="routing_rule.deleted").exists()
    assert login_as(team_agent).get("/agent/supervisor/routing/").status_code == 404


def test_the_workspace_shows_the_platforms_published_channels(login_as, team, team_agent, platform, publish):  # noqa: F811
    publish(platform)  # two directory admins: the only way a channel is published
    claim = claim_in(team, platform=platform)
    page = login_as(team_agent).get(f"/agent/tickets/{claim.reference}/").content.decode()
    assert "400-612-3456" in page


def test_the_workspace_keeps_its_query_count_with_a_long_timeline(login_as, team, team_agent):
    from tests.factories import ClaimEventFactory

    claim = claim_in(team)
    client = login_as(team_agent)
    client.get(f"/agent/tickets/{claim.reference}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/agent/tickets/{claim.reference}/")
    for _ in range(50):
        ClaimEventFactory(claim=claim)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/agent/tickets/{claim.reference}/").status_code == 200
    assert len(many) == len(few) <= 12


def test_a_supervisor_reassigns_by_staff_number(login_as, supervisor, team, team_agent):
    claim = claim_in(team)
    client = login_as(supervisor)
    response = client.post(f"/agent/tickets/{claim.reference}/assign/", {"assignee": team_agent.staff_number})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.assignee == team_agent
    assert client.post(f"/agent/tickets/{claim.reference}/assign/", {"assignee": "NOBODY"}).status_code == 400
    client.post("/agent/queue/bulk/", {"claims": [claim.reference], "action": "unassign"})
    claim.refresh_from_db()
    assert claim.assignee is None


def test_teams_are_edited_in_the_admin_with_an_audit_entry(login_as, supervisor, team_agent):
    supervisor.is_staff = supervisor.is_superuser = True
    supervisor.save()
    client = login_as(supervisor)
    response = client.post(
        "/admin/tickets/team/add/",
        {
            "name": "夜班",
            "slug": "night",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": team_agent.pk,
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert AuditEntry.objects.filter(action="team.saved", object_repr="夜班").exists()
    from tickets.access import team_ids_for

    assert Team.objects.get(slug="night").pk in team_ids_for(User.objects.get(pk=team_agent.pk))
