from __future__ import annotations

from django.core.management import call_command

from tickets.models import Claim, ClaimStatus


def test_seed_demo_creates_the_demo_claims_once(db):
    call_command("seed_demo")
    call_command("seed_demo")
    claims = Claim.objects.filter(customer__email="customer@demo.claimdesk.cn", platform__slug="xingyun")
    assert claims.count() == 3
    assert set(claims.values_list("status", flat=True)) == {
        ClaimStatus.NEW,
        ClaimStatus.WAITING_ON_CUSTOMER,
        ClaimStatus.RESOLVED,
    }
