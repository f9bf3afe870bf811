"""The agent desk (issue 14, staff side): two-column workspace with a live timeline and call-back panel,
staff-side words, true SLA badges, the queue's views/sorts/highlighting, the call-back badge, landing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.factories import ClaimEventFactory, ClaimFactory
from tickets.desk import queue as q
from tickets.desk import workspace as desk
from tickets.models import Callback, CallbackAttempt, ClaimStatus


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def pending_callback(claim, **kwargs):
    return Callback.objects.create(
        claim=claim,
        phone="+8613912345678",
        reason="customer",
        due_at=kwargs.pop("due_at", timezone.now() + timedelta(minutes=10)),
        code="4821",
        **kwargs,
    )


# --- workspace ----------------------------------------------------------------------------------------
def test_the_workspace_labels_customer_messages_from_the_staff_side(login_as, team, team_agent):
    claim = ClaimFactory(team=team, status=ClaimStatus.WAITING_ON_CUSTOMER)
    ClaimEventFactory(claim=claim, kind="customer_reply", body="还没到账")
    page = login_as(team_agent).get(f"/agent/tickets/{claim.reference}/").content.decode()
    assert "客户留言" in page and "您的留言" not in page
    assert "等待客户回复" in page and "等待您的回复" not in page


def test_the_timeline_fragment_shows_a_new_customer_message(login_as, team, team_agent):
    claim = ClaimFactory(team=team)
    client = login_as(team_agent)
    page = client.get(f"/agent/tickets/{claim.reference}/").content.decode()
    assert f'hx-get="/agent/tickets/{claim.reference}/timeline/"' in page
    ClaimEventFactory(claim=claim, kind="customer_reply", body="刚刚又付了一次")
    fragment = client.get(f"/agent/tickets/{claim.reference}/timeline/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "刚刚又付了一次" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_the_timeline_fragment_is_scoped_to_the_team(login_as, team, other_team_agent):
    claim = ClaimFactory(team=team)
    assert login_as(other_team_agent).get(f"/agent/tickets/{claim.reference}/timeline/").status_code == 404


def test_the_callback_panel_shows_code_due_time_and_an_outcome_without_default(login_as, team, team_agent):
    claim = ClaimFactory(team=team)
    callback = pending_callback(claim)
    page = login_as(team_agent).get(f"/agent/tickets/{claim.reference}/").content.decode()
    assert "4821" in page and 'data-testid="callback-panel"' in page
    select = page[page.index('id="ws-outcome"') : page.index("</select>", page.index('id="ws-outcome"'))]
    assert '<option value="" selected>' in select and 'value="reached" selected' not in select
    assert f'action="/agent/callbacks/{callback.pk}/attempt/"' in page


def test_an_attempt_without_an_outcome_is_refused_and_returns_to_the_claim(login_as, team, team_agent):
    claim = ClaimFactory(team=team)
    callback = pending_callback(claim)
    client = login_as(team_agent)
    response = client.post(f"/agent/callbacks/{callback.pk}/attempt/", {"outcome": "", "back": "ticket"})
    assert response.status_code == 302 and response.url == f"/agent/tickets/{claim.reference}/"
    assert not CallbackAttempt.objects.exists()
    response = client.post(
        f"/agent/callbacks/{callback.pk}/attempt/", {"outcome": "no_answer", "back": "ticket"}
    )
    assert response.url == f"/agent/tickets/{claim.reference}/"
    assert CallbackAttempt.objects.get().outcome == "no_answer"


def test_sla_clocks_say_breached_with_the_real_overdue_duration(login_as, team, team_agent):
    now = timezone.now()
    just = ClaimFactory(
        team=team,
        first_response_due_at=now - timedelta(seconds=20),
        first_response_warn_at=now - timedelta(minutes=5),
    )
    long_ago = ClaimFactory(
        team=team,
        first_response_due_at=now - timedelta(hours=2, minutes=5),
        first_response_warn_at=now - timedelta(hours=3),
    )
    client = login_as(team_agent)
    page = client.get(f"/agent/tickets/{just.reference}/").content.decode().replace("\xa0", " ")
    assert "已超时 不到 1 分钟" in page and "0 分钟" not in page
    page = client.get(f"/agent/tickets/{long_ago.reference}/").content.decode().replace("\xa0", " ")
    assert "已超时 2 小时，5 分钟" in page
    queue = client.get("/agent/queue/?view=breached").content.decode().replace("\xa0", " ")
    assert just.reference in queue and long_ago.reference in queue and "0 分钟" not in queue


def test_a_fresh_claim_is_not_at_risk_and_a_paused_one_is_not_breached(team, team_agent):
    now = timezone.now()
    fresh = ClaimFactory(
        team=team,
        created_at=now - timedelta(minutes=2),
        first_response_due_at=now + timedelta(minutes=8),
        first_response_warn_at=now + timedelta(minutes=5, seconds=30),
    )
    paused = ClaimFactory(
        team=team,
        status=ClaimStatus.WAITING_ON_CUSTOMER,
        sla_paused_at=now - timedelta(hours=1),
        first_response_due_at=now - timedelta(minutes=30),
    )
    assert q.sla_state(fresh, now) == "" and q.sla_state(paused, now) == ""
    assert [c.state for c in desk.sla_clocks(fresh, now)] == ["running"]
    breached = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(view="breached")).claims
    assert paused not in breached


# --- queue --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sort", ["priority", "due", "age"])
def test_each_sort_pages_through_the_queue_once_in_order(team, team_agent, sort):
    now = timezone.now()
    for i in range(23):
        ClaimFactory(
            team=team,
            priority=1 + i % 4,
            urgency_score=(i * 37) % 500,
            created_at=now - timedelta(minutes=(i * 13) % 50),
            first_response_due_at=now + timedelta(minutes=(i * 7) % 40),
        )
    seen, cursor = [], ""
    while True:
        page = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(sort=sort), cursor=cursor, size=5)
        seen += page.claims
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == 23 and len({c.pk for c in seen}) == 23
    keys = [tuple(getattr(c, "pk" if f == "id" else f) for f in q.SORTS[sort]) for c in seen]
    assert keys == sorted(keys)


def test_a_cursor_from_another_sort_is_refused(team, team_agent):
    for _ in range(3):
        ClaimFactory(team=team)
    cursor = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(sort="due"), size=1).next_cursor
    with pytest.raises(q.BadCursor):
        q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(sort="age"), cursor=cursor)


def test_views_have_capped_counts(login_as, team, team_agent, monkeypatch):
    monkeypatch.setattr(desk, "VIEW_COUNT_CAP", 3)
    for _ in range(5):
        ClaimFactory(team=team)
    ClaimFactory(team=team, assignee=team_agent)
    views = {v.slug: v for v in desk.queue_view_counts(team_agent)}
    assert views["all"].count == 3 and views["all"].capped
    assert views["mine"].count == 1 and not views["mine"].capped
    page = login_as(team_agent).get("/agent/queue/?view=mine").content.decode()
    assert 'data-testid="view-mine"' in page and "3+" in page


def test_search_matches_are_highlighted_and_escaped(login_as, team, team_agent):
    claim = ClaimFactory(team=team, subject="<b>充值后</b>未到账", description="充值后未到账")
    page = login_as(team_agent).get("/agent/queue/?q=充值后").content.decode()
    assert claim.reference in page
    assert (
        "<mark>充值后</mark>" in page
        and "&lt;b&gt;" in page
        and "<b>" not in page.split('id="queue-rows"')[1]
    )


def test_callbacks_are_in_the_agent_navigation_with_a_due_badge(login_as, team, team_agent, other_team_agent):
    claim = ClaimFactory(team=team)
    pending_callback(claim, due_at=timezone.now() - timedelta(minutes=3))
    pending_callback(ClaimFactory(team=team), due_at=timezone.now() + timedelta(hours=3))
    page = login_as(team_agent).get("/agent/queue/").content.decode()
    nav = page[page.index('data-testid="nav-callbacks"') :][:300]
    assert 'class="nav-badge">1<' in nav
    assert desk.callbacks_due_count(other_team_agent) == 0  # another team's call-backs are not counted


# --- landing after sign-in ---------------------------------------------------------------------------
def test_staff_land_on_their_work_and_customers_on_their_claims(
    client, login_as, agent, directory_admin, customer
):
    assert login_as(agent).get("/accounts/landing/").url == "/agent/queue/"
    client.logout()
    assert login_as(directory_admin).get("/accounts/landing/").url == "/directory/"
    client.logout()
    client.force_login(customer)
    assert client.get("/accounts/landing/").url == "/claims/"


def test_signing_in_leads_to_the_landing_or_next(client, customer, password):
    response = client.post("/accounts/login/", {"username": customer.email, "password": password})
    assert response.url == "/accounts/landing/"
    client.logout()
    response = client.post(
        "/accounts/login/?next=/check/", {"username": customer.email, "password": password}
    )
    assert response.url == "/check/"


# --- supervisors: canned replies, SLA policies, charts -------------------------------------------------
def test_supervisors_edit_canned_replies_in_the_app_audited(login_as, supervisor, team_agent):
    from helpdesk.models import AuditEntry
    from tickets.models import Macro

    client = login_as(team_agent)
    assert client.get("/agent/supervisor/canned-replies/").status_code == 404
    client.logout()
    client = login_as(supervisor)
    response = client.post(
        "/agent/supervisor/canned-replies/",
        {
            "name": "请提供截图",
            "body": "请上传付款截图。",
            "set_status": "waiting_on_customer",
            "is_active": "on",
            "tag_names": "截图, 待客户",
        },
    )
    assert response.status_code == 302
    macro = Macro.objects.get(name="请提供截图")
    assert sorted(macro.tags.values_list("name", flat=True)) == ["待客户", "截图"]
    assert AuditEntry.objects.filter(action="macro.created", object_id=str(macro.pk)).exists()
    response = client.post(
        f"/agent/supervisor/canned-replies/?edit={macro.pk}",
        {"name": "请提供截图", "body": "   ", "is_active": "on"},
    )
    assert response.status_code == 400  # kept what was typed, said why
    assert Macro.objects.get(pk=macro.pk).body == "请上传付款截图。"


def test_supervisors_edit_sla_policies_with_readable_durations(login_as, supervisor):
    from helpdesk.models import AuditEntry
    from tickets.models import SlaPolicy

    client = login_as(supervisor)
    data = {
        "name": "加急",
        "position": "5",
        "active": "on",
        "priorities": ["1"],
        "first_response": "10m",
        "resolution": "1d4h",
        "calendar": "always",
        "day_start": "09:00",
        "day_end": "21:00",
        "high_value": "unknown",
    }
    assert client.post("/agent/supervisor/sla-policies/", data).status_code == 302
    policy = SlaPolicy.objects.get(name="加急")
    assert policy.first_response == timedelta(minutes=10) and policy.resolution == timedelta(hours=28)
    assert policy.priorities == [1]
    assert AuditEntry.objects.filter(action="sla_policy.created").exists()
    bad = client.post(f"/agent/supervisor/sla-policies/?edit={policy.pk}", {**data, "first_response": "soon"})
    assert bad.status_code == 400 and "10m" in bad.content.decode()
    page = client.get("/agent/supervisor/sla-policies/").content.decode()
    assert "10m" in page and "1d4h" in page


def test_the_demo_seeds_three_canned_replies_once(db):
    from django.core.management import call_command

    from tickets.models import Macro

    call_command("seed_demo")
    call_command("seed_demo")
    names = list(Macro.objects.values_list("name", flat=True))
    assert len(names) == 3 and any("截图" in n and "screenshot" in n for n in names)


def test_chart_bars_are_proportional_on_a_common_axis():
    from tickets.desk.charts import Row, bar_chart, nice_max

    chart = bar_chart(
        [Row("a", [("open", 2, "/a")]), Row("b", [("open", 2, "/b")]), Row("c", [("open", 7, "/c")])],
        series=[("open", "Open")],
    )
    widths = [row.bars[0].width for row in chart.rows]
    assert chart.axis_max == 10 == nice_max(7)
    assert widths[0] == widths[1] == pytest.approx(chart.plot_width * 2 / 10)
    assert widths[2] == pytest.approx(chart.plot_width * 7 / 10)
    assert nice_max(0) == 1 and nice_max(2) == 2 and nice_max(11) == 20
    # Ticks are exact values at their true positions (0, 2, 4, ... on an axis of 10).
    assert [v for v, _x in chart.ticks] == [0, 2, 4, 6, 8, 10]
    assert all(x == pytest.approx(chart.plot_x + chart.plot_width * v / 10) for v, x in chart.ticks)
    five = bar_chart([Row("a", [("open", 5, "/a")])], series=[("open", "Open")])
    assert [v for v, _x in five.ticks] == [0, 1, 2, 3, 4, 5]


def test_supervisor_figures_click_through_to_the_filtered_queue(login_as, supervisor, team, team_agent):
    now = timezone.now()
    for _ in range(2):
        ClaimFactory(team=team, first_response_due_at=now - timedelta(minutes=5))
    ClaimFactory(team=team, priority=1)
    client = login_as(supervisor)
    page = client.get("/agent/supervisor/").content.decode()
    link = f"/agent/queue/?view=breached&amp;team={team.pk}"
    assert link in page and "<svg" in page
    queue = client.get(f"/agent/queue/?view=breached&team={team.pk}").content.decode()
    assert queue.count("data-reference=") == 2
    assert client.get("/agent/queue/?priority=1").content.decode().count("data-reference=") == 1
