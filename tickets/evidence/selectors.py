"""Reads on evidence: a claim's files for the customer's page, the agent workspace and the API."""

from __future__ import annotations

from tickets.models import Claim, Evidence


def claim_evidence(claim: Claim) -> list[Evidence]:
    return list(Evidence.objects.filter(claim=claim).order_by("created_at", "id"))
