from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import ClaimFactory, TeamFactory, problem_type
from tests.support.tickets import claim_input
from tickets.claims import services
from tickets.models import PlatformClaimPolicy, Priority, RoutingRule, Team
from tickets.triage import urgency as triage
from tickets.triage.routing import RoutingFacts, route

NOW = timezone.now()


def facts(**overrides) -> triage.TriageInput:
    values = {"severity": 3, "amount": Decimal("100"), "high_value_amount": Decimal("500"), "now": NOW}
    values.update(overrides)
    return triage.TriageInput(**values)


def test_account_theft_is_p1_and_how_to_is_p4():
    assert triage.score(facts(severity=4)).priority == Priority.P1
    assert triage.score(facts(severity=1, amount=Decimal("10"))).priority == Priority.P4


def test_a_large_top_up_not_credited_is_p1_a_small_one_p2():
    large = triage.score(facts(amount=Decimal("500")))
    assert large.priority == Priority.P1 and large.is_high_value
    assert large.parts["high_value"] == triage.HIGH_VALUE_POINTS
    assert triage.score(facts(amount=Decimal("100"))).priority == Priority.P2


def test_the_closing_claim_window_and_lateness_add_points():
    near = triage.score(facts(happened_at=NOW - timedelta(hours=20), report_within=timedelta(hours=24)))
    late = triage.score(facts(happened_at=NOW - timedelta(hours=30), report_within=timedelta(hours=24)))
    calm = triage.score(facts(happened_at=NOW - timedelta(hours=1), report_within=timedelta(hours=24)))
    assert near.parts["window_near"] == triage.WINDOW_NEAR_POINTS
    assert late.parts["window_late"] == triage.WINDOW_LATE_POINTS
    assert "window_near" not in calm.parts and "window_late" not in calm.parts


@pytest.mark.parametrize(
    ("remaining", "points"),
    [(-1, triage.SLA_BREACHED_POINTS), (0.5, triage.SLA_WITHIN_HOUR_POINTS), (3, 50), (10, 0)],
)
def test_sla_time_remaining_raises_the_score(remaining, points):
    scored = triage.score(facts(next_due_at=NOW + timedelta(hours=remaining)))
    assert scored.parts.get("sla", 0) == points


def test_the_third_failure_in_a_row_counts():
    assert triage.score(facts(repeat_failures=3)).parts["repeat_failures"] == triage.REPEAT_FAILURE_POINTS
    assert "repeat_failures" not in triage.score(facts(repeat_failures=2)).parts


@pytest.mark.parametrize(
    ("name", "part", "points"),
    [
        ("platform_confirmed_failed", "platform_confirmed", triage.PLATFORM_CONFIRMED_POINTS),
        ("merchant_high_complaints", "merchant_risk", triage.MERCHANT_RISK_POINTS),
        ("proactive", "proactive", triage.PROACTIVE_POINTS),
    ],
)
def test_what_the_platform_told_us_counts_and_is_explained(name, part, points):
    plain = triage.score(facts())
    told = triage.score(facts(**{name: True}))
    assert told.parts[part] == points and part not in plain.parts
    assert told.score == plain.score + points
    assert (str(triage.PART_LABELS[part]), points) in triage.explain(told.parts)


def test_explain_lists_parts_largest_first():
    rows = triage.explain({"severity": 300, "high_value": 150, "override": {"priority": 1}})
    assert [points for _label, points in rows] == [300, 150]


def test_claim_create_stores_parts_and_flags_a_repeat_claimant(customer, platform):
    for i in range(2):
        services.claim_create(customer=customer, data=claim_input(platform, order_number=f"R{i:05d}"))
    third = services.claim_create(customer=customer, data=claim_input(platform, order_number="R00009"))
    assert third.urgency_parts["repeat_failures"] == triage.REPEAT_FAILURE_POINTS
    assert third.urgency_score == sum(third.urgency_parts.values())


def test_claim_create_scores_the_platform_window(customer, platform):
    PlatformClaimPolicy.objects.create(platform=platform, report_within=timedelta(hours=24))
    data = claim_input(platform, paid_at=timezone.now() - timedelta(hours=20))
    claim = services.claim_create(customer=customer, data=data)
    assert claim.urgency_parts["window_near"] == triage.WINDOW_NEAR_POINTS


# --- routing --------------------------------------------------------------------------------------------
def test_high_value_and_account_theft_go_to_the_senior_team(customer, platform):
    senior = Team.objects.get(is_senior=True)
    general = Team.objects.get(is_general=True)
    big = services.claim_create(customer=customer, data=claim_input(platform, amount=Decimal("800")))
    stolen = services.claim_create(
        customer=customer,
        data=claim_input(platform, order_number="S0001", problem_type=problem_type("account-stolen")),
    )
    small = services.claim_create(customer=customer, data=claim_input(platform, order_number="S0002"))
    assert (big.team, stolen.team, small.team) == (senior, senior, general)


def test_rules_match_platform_type_amount_band_and_language(platform):
    team = TeamFactory(slug="xingyun-en")
    topup = problem_type()
    rule = RoutingRule.objects.create(
        name="Xingyun English top-ups",
        position=5,
        platform=platform,
        problem_type=topup,
        min_amount=Decimal("50"),
        max_amount=Decimal("200"),
        language="en",
        team=team,
    )
    base = {
        "platform_id": platform.pk,
        "problem_type_id": topup.pk,
        "amount": Decimal("100"),
        "language": "en-us",
        "is_high_value": False,
    }
    assert route(RoutingFacts(**base)) == team
    for change in ({"amount": Decimal("200")}, {"amount": Decimal("10")}, {"language": "zh-hans"}):
        assert route(RoutingFacts(**{**base, **change})) != team
    rule.is_active = False
    rule.save()
    assert route(RoutingFacts(**base)) == Team.objects.get(is_general=True)


def test_unmatched_claims_go_to_the_general_team(platform):
    RoutingRule.objects.all().delete()
    claim_facts = RoutingFacts(
        platform_id=platform.pk,
        problem_type_id=problem_type().pk,
        amount=Decimal("999"),
        language="zh-hans",
        is_high_value=True,
    )
    assert route(claim_facts) == Team.objects.get(is_general=True)


def test_retriage_follows_sla_due_times_and_keeps_a_supervisors_override(platform):
    claim = ClaimFactory(platform=platform, urgency_score=312, priority=Priority.P2)
    claim.first_response_due_at = timezone.now() - timedelta(minutes=5)
    claim.save(update_fields=["first_response_due_at"])
    from tickets.triage.services import claim_retriage

    claim = claim_retriage(claim=claim)
    assert claim.urgency_parts["sla"] == triage.SLA_BREACHED_POINTS
    assert claim.priority == Priority.P1
    claim.urgency_parts = {**claim.urgency_parts, "override": {"priority": 4, "reason": "test"}}
    claim.save(update_fields=["urgency_parts"])
    assert claim_retriage(claim=claim).priority == Priority.P4
