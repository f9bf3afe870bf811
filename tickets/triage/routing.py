"""Routing: which team a claim goes to. Rules are data (``RoutingRule``), read in position order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tickets import reference_data
from tickets.models import RoutingRule, Team


@dataclass(frozen=True)
class RoutingFacts:
    platform_id: int
    problem_type_id: int
    amount: Decimal
    language: str
    is_high_value: bool


def rule_matches(rule: RoutingRule, facts: RoutingFacts) -> bool:
    if rule.platform_id is not None and rule.platform_id != facts.platform_id:
        return False
    if rule.problem_type_id is not None and rule.problem_type_id != facts.problem_type_id:
        return False
    if rule.min_amount is not None and facts.amount < rule.min_amount:
        return False
    if rule.max_amount is not None and facts.amount >= rule.max_amount:
        return False
    if rule.high_value and not facts.is_high_value:
        return False
    return not (rule.language and not facts.language.lower().startswith(rule.language.lower()))


def _load() -> tuple[list[RoutingRule], Team | None]:
    rules = list(RoutingRule.objects.filter(is_active=True).select_related("team").order_by("position", "id"))
    return rules, Team.objects.filter(is_general=True).first()


def route(facts: RoutingFacts) -> Team | None:
    """The first matching rule's team, else the general team. Rules are reference data: each process keeps
    them for CLAIM_REFERENCE_DATA_TTL seconds like platforms and claim rules (0 in tests: always fresh)."""
    rules, general = reference_data.cached("routing", _load)
    for rule in rules:
        if rule_matches(rule, facts):
            return rule.team
    return general


def forget_routing() -> None:
    """After a supervisor's change: this process reloads now, others within CLAIM_REFERENCE_DATA_TTL."""
    reference_data.forget("routing")
