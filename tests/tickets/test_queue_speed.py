"""The queue's fast paths (issue 17) give the same answers as the slow ones they replace."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.timesince import timesince, timeuntil
from rest_framework.test import APIClient

from tests.factories import ClaimFactory, PlatformFactory, TeamFactory
from tickets.desk import queue as q
from tickets.desk.labels import staff_event_label, staff_status_label
from tickets.models import ClaimStatus, EventKind, Tag
from tickets.templatetags.desk import elapsed, left_until


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_elapsed_says_what_timesince_says(language):
    rng = random.Random(17)
    zones = [UTC, ZoneInfo("Asia/Shanghai")]
    with translation.override(language):
        for _ in range(3000):
            start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.uniform(0, 365 * 86_400))
            until = start.astimezone(rng.choice(zones))
            span = rng.choice(
                [rng.uniform(-120, 120), rng.uniform(0, 86_400 * 3), rng.uniform(0, 86_400 * 900)]
            )
            since = (until - timedelta(seconds=span)).astimezone(rng.choice(zones))
            for depth in (1, 2, 3):
                assert elapsed(since, until, depth) == timesince(since, until, depth=depth), (since, until)
            assert left_until(until, since) == timeuntil(until, since)


def test_staff_labels_follow_the_language():
    with translation.override("en"):
        assert staff_status_label(ClaimStatus.WAITING_ON_CUSTOMER) == "Waiting on the customer"
        assert staff_event_label(EventKind.CUSTOMER_REPLY) == "Customer's message"
    with translation.override("zh-hans"):
        assert staff_status_label(ClaimStatus.WAITING_ON_CUSTOMER) != "Waiting on the customer"
    assert staff_status_label("no-such-status") == "no-such-status"


def test_an_exact_phone_in_any_spelling_finds_the_claim(team, team_agent):
    claim = ClaimFactory(team=team, contact_phone="+8613800138000")
    ClaimFactory(team=team, contact_phone="+8613900139000")
    for typed in ("+8613800138000", "13800138000", "138 0013 8000", "138-0013-8000"):
        page = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q=typed))
        assert [c.pk for c in page.claims] == [claim.pk], typed


def test_an_exact_order_number_is_found_in_any_case_and_a_fragment_still_searches_the_text(team, team_agent):
    exact = ClaimFactory(team=team, order_number="AB20240520")
    longer = ClaimFactory(team=team, order_number="AB202405201")
    found = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q="ab20240520")).claims
    assert [c.pk for c in found] == [exact.pk]
    fragment = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q="b2024052")).claims
    assert {c.pk for c in fragment} == {exact.pk, longer.pk}
    by_reference = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q=longer.reference.lower()))
    assert [c.pk for c in by_reference.claims] == [longer.pk]


def test_another_teams_exact_match_is_not_shown(team, team_agent):
    other = ClaimFactory(team=TeamFactory(slug="else", name="Else"), order_number="ZZ1")
    assert q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q=other.order_number)).claims == []


def test_a_search_counts_its_matches_in_the_page_query(login_as, team, team_agent):
    for _ in range(7):
        ClaimFactory(team=team)
    page = q.queue_for_agent(agent=team_agent, filters=q.QueueFilters(q="仍未到账"), size=5)
    assert len(page.claims) == 5 and page.estimate == 7 and not page.estimate_capped
    second = q.queue_for_agent(
        agent=team_agent, filters=q.QueueFilters(q="仍未到账"), cursor=page.next_cursor or ""
    )
    assert len(second.claims) == 2 and second.estimate == 7
    client = login_as(team_agent)
    client.get("/agent/queue/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/agent/queue/?q=仍未到账&size=5")
    assert response.content.decode().count("data-reference=") == 5
    assert len(ctx) <= 6, [query["sql"][:150] for query in ctx]


def test_queue_rows_show_tags_in_name_order_and_the_api_lists_them(login_as, team, team_agent):
    claim = ClaimFactory(team=team)
    claim.tags.add(Tag.objects.create(name="zeta"), Tag.objects.create(name="alpha"))
    html = login_as(team_agent).get("/agent/queue/").content.decode()
    assert html.index(">alpha<") < html.index(">zeta<")
    api = APIClient()
    api.force_authenticate(team_agent)
    assert api.get("/api/v1/agent/queue/").json()["results"][0]["tags"] == ["alpha", "zeta"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_elapsed_near_a_month_says_what_timesince_says_in_zones_with_daylight_saving(language):
    """The minutes-only path stops short of the shortest calendar month, a daylight-saving jump included."""
    rng = random.Random(28)
    zones = [ZoneInfo("America/Santiago"), ZoneInfo("Europe/London"), ZoneInfo("Australia/Sydney"), UTC]
    with translation.override(language):
        for _ in range(3000):
            zone = rng.choice(zones)
            until = (
                datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.uniform(0, 365 * 86_400))
            ).astimezone(zone)
            since = until - timedelta(days=rng.uniform(26, 29))
            for depth in (1, 2):
                assert elapsed(since, until, depth) == timesince(since, until, depth=depth), (since, until)


def test_queue_rows_escape_every_value_from_the_data(login_as, team, team_agent):
    """Rows are written in Python (tickets.desk.queue_rows): names, tags, viewers and matches are escaped."""
    platform = PlatformFactory(slug="x-angle", name='<img src=x onerror="alert(1)">')
    claim = ClaimFactory(team=team, platform=platform, subject="<script>alert(2)</script>仍未到账")
    claim.tags.add(Tag.objects.create(name="<b>vip</b>"))
    from django.core.cache import cache

    cache.set(f"presence:claim:{claim.pk}", {"999": ("<i>Eve</i> & co", 4_102_444_800.0)}, 30)
    client = login_as(team_agent)
    for url in ("/agent/queue/", "/agent/queue/?q=仍未到账"):
        html = client.get(url).content.decode()
        assert f'data-reference="{claim.reference}"' in html
        assert "<img src=x" not in html and "<script>alert(2)" not in html and "<b>vip</b>" not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
        assert "&lt;b&gt;vip&lt;/b&gt;" in html and "&lt;i&gt;Eve&lt;/i&gt; &amp; co" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;<mark>仍未到账</mark>" in html


def test_the_queue_estimate_is_the_views_bar_count_and_costs_no_query_of_its_own(login_as, team, team_agent):
    for i in range(60):
        ClaimFactory(team=team, assignee=team_agent if i % 3 == 0 else None)
    client = login_as(team_agent)
    client.get("/agent/queue/")  # the views bar's counts, shared for a few seconds
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/agent/queue/?size=25").content.decode()
    counts = [query["sql"] for query in ctx if "COUNT(" in query["sql"].upper()]
    assert counts == [], counts
    assert _estimate(html) == 60
    assert _estimate(client.get("/agent/queue/?view=mine&size=5").content.decode()) == 20
    assert _estimate(client.get("/agent/queue/?view=unassigned&size=5").content.decode()) == 40


def _estimate(html: str) -> int:
    found = re.search(r'data-testid="queue-estimate"><span>\D*(\d+)', html)
    assert found, html[:300]
    return int(found.group(1))


def test_the_options_tag_marks_the_chosen_value_and_escapes_labels():
    from helpdesk.templatetags.claimdesk import options

    html = options([(1, "A & B"), (2, "<two>"), ("", "Any")], "2")
    assert html == (
        '<option value="1">A &amp; B</option><option value="2" selected>&lt;two&gt;</option>'
        '<option value="">Any</option>'
    )
    assert options([("", "Any"), ("x", "X")], None).startswith('<option value="" selected>')
