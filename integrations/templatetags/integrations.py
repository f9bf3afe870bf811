from __future__ import annotations

from django import template

from integrations.selectors import PlatformFacts, platform_facts_for_claim
from tickets.models import Claim

register = template.Library()


@register.simple_tag
def platform_facts(claim: Claim) -> PlatformFacts | None:
    """What the platform confirms about the claim's order (for the agent workspace's include)."""
    return platform_facts_for_claim(claim)
