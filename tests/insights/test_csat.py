"""CSAT: staff see the rating, the customer may add a comment afterwards, a low rating alerts the team lead,
and the report groups ratings per agent, team, platform and problem type."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from helpdesk.models import AuditEntry, Notification
from helpdesk.outbox import relay
from insights import csat
from tests.factories import ClaimFactory, StaffFactory, TeamFactory, join_team
from tickets.claims import services
from tickets.models import Claim

pytestmark = pytest.mark.django_db


def deliver() -> None:
    while relay():
        pass


@pytest.fixture
def team(agent, supervisor):
    from django.core.cache import cache

    cache.clear()
    team = TeamFactory(slug="csat-team")
    join_team(agent, team)
    join_team(supervisor, team)
    return team


def resolved_claim(customer, team, platform, **extra) -> Claim:
    return ClaimFactory(
        customer=customer,
        team=team,
        platform=platform,
        status="resolved",
        resolved_at=timezone.now(),
        **extra,
    )


@pytest.mark.parametrize("rating", [1, 2])
def test_a_low_rating_alerts_the_supervisor_of_the_claims_team_only(customer, team, platform, rating):
    other_lead = StaffFactory(email="lead-elsewhere@example.com", role="supervisor")
    join_team(other_lead, TeamFactory(slug="elsewhere"))
    claim = resolved_claim(customer, team, platform)
    services.claim_rate(claim=claim, actor=customer, rating=rating, comment="太慢了")
    deliver()
    lead = team.memberships.get(user__role="supervisor").user
    note = Notification.objects.get(event="claim.low_rating")
    assert note.user_id == lead.pk and note.url == f"/agent/tickets/{claim.reference}/"
    assert not Notification.objects.filter(user=other_lead).exists()


def test_the_alert_has_templates_in_both_languages():
    from helpdesk.models import NotificationTemplate
    from helpdesk.notifications import render_string

    rows = NotificationTemplate.objects.filter(event="claim.low_rating")
    if not rows.exists():  # a transactional test flushed the data migration's rows (--reuse-db)
        import importlib

        from django.apps import apps as django_apps

        importlib.import_module("insights.migrations.0002_low_rating_notification_templates").forward(
            django_apps, None
        )
    titles = {
        (r.channel, r.language): render_string(r.subject, {"reference": "XY-1", "rating": 1})
        for r in rows.all()
    }
    assert titles[("in_app", "zh-hans")].startswith(
        "索赔 XY-1"
    )  # docs/glossary.md: a claim is 索赔 and "1/5" in titles[("in_app", "en")]
    assert ("email", "zh-hans") in titles and ("email", "en") in titles


def test_a_good_rating_alerts_nobody(customer, team, platform):
    claim = resolved_claim(customer, team, platform)
    services.claim_rate(claim=claim, actor=customer, rating=3)
    deliver()
    assert not Notification.objects.filter(event="claim.low_rating").exists()


def test_a_claim_without_a_team_alerts_every_supervisor(customer, platform, supervisor):
    second = StaffFactory(email="sup2@example.com", role="supervisor")
    claim = resolved_claim(customer, None, platform)
    services.claim_rate(claim=claim, actor=customer, rating=1)
    deliver()
    assert set(Notification.objects.filter(event="claim.low_rating").values_list("user_id", flat=True)) == {
        supervisor.pk,
        second.pk,
    }


def test_the_customer_adds_a_comment_after_rating_once(customer, other_customer, team, platform, login_as):
    claim = resolved_claim(customer, team, platform)
    services.claim_rate(claim=claim, actor=customer, rating=4)
    client = login_as(customer)
    page = client.get(f"/claims/{claim.reference}/").content.decode()
    assert f"/claims/{claim.reference}/rating-comment/" in page
    response = client.post(
        f"/claims/{claim.reference}/rating-comment/", {"comment": "客服很耐心，卡号 4111111111111111"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.rating_comment.startswith("客服很耐心") and "4111111111111111" not in claim.rating_comment
    assert AuditEntry.objects.filter(action="claim.rating_commented", object_id=str(claim.pk)).exists()
    with pytest.raises(ValidationError):
        csat.csat_comment_add(claim=claim, actor=customer, comment="again")


def test_another_customer_cannot_comment(customer, other_customer, team, platform, login_as):
    claim = resolved_claim(customer, team, platform, rating=4)
    response = login_as(other_customer).post(f"/claims/{claim.reference}/rating-comment/", {"comment": "x"})
    assert response.status_code == 404


def test_the_workspace_shows_the_rating_and_comment(customer, team, platform, agent, login_as):
    claim = resolved_claim(customer, team, platform, rating=2, rating_comment="等了三天")
    page = login_as(agent).get(f"/agent/tickets/{claim.reference}/").content.decode()
    assert "等了三天" in page and 'id="csat-title"' in page


def test_the_csat_report_groups_per_agent_team_platform_and_problem_type(customer, team, platform, agent):
    from insights import rollup

    for rating in (5, 4, 1):
        resolved_claim(customer, team, platform, rating=rating, assignee=agent)
    resolved_claim(customer, team, platform, rating=None)
    rollup.rollup_recent(days=1)
    since = timezone.localdate() - timedelta(days=29)
    for dimension in ("agent", "team", "platform", "problem_type"):
        (row,) = csat.csat_report(dimension=dimension, since=since)
        assert (row.rated, row.low) == (3, 1)
        assert row.average == pytest.approx(10 / 3)
    (agent_row,) = csat.csat_report(dimension="agent", since=since)
    assert agent_row.label == agent.staff_number
    assert csat.csat_report(dimension="team", since=timezone.localdate() + timedelta(days=1)) == []


def test_the_csat_page_is_for_supervisors_only(customer, team, platform, agent, supervisor, login_as):
    claim = resolved_claim(customer, team, platform)
    services.claim_rate(claim=claim, actor=customer, rating=1, comment="很差")
    assert login_as(agent).get("/agent/insights/csat/").status_code == 404
    page = login_as(supervisor).get("/agent/insights/csat/")
    assert page.status_code == 200 and "很差" in page.content.decode()
