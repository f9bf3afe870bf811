from __future__ import annotations

from django.core.management import call_command

from helpdesk.models import User
from tickets.models import Callback, CallbackStatus, Claim, ClaimStatus


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


def test_the_demo_customer_has_a_verified_phone_so_the_demo_call_back_shows(db):
    call_command("seed_demo")
    call_command("seed_demo")
    customer = User.objects.get(email="customer@demo.claimdesk.cn")
    assert customer.has_verified_phone and customer.phone == "+8613800138000"
    callback = Callback.objects.get(claim__customer=customer, status=CallbackStatus.PENDING)
    assert callback.phone == customer.phone and callback.claim.is_high_value


DEMO_TEAMS = {
    "agent@demo.claimdesk.cn": {"general"},
    "agent2@demo.claimdesk.cn": {"senior"},
    "supervisor@demo.claimdesk.cn": {"general", "senior"},
}


def test_seed_demo_puts_the_demo_staff_in_exactly_their_teams(db):
    from tickets.models import TeamMembership

    call_command("seed_demo")
    call_command("seed_demo")
    rows = TeamMembership.objects.filter(user__email__endswith="@demo.claimdesk.cn").values_list(
        "user__email", "team__slug"
    )
    found: dict[str, set[str]] = {}
    for email, slug in rows:
        found.setdefault(email, set()).add(slug)
    assert found == DEMO_TEAMS


def test_each_demo_agent_has_a_queue_a_claim_to_take_and_only_their_teams_workspace(db, login_as):
    from django.core.cache import cache

    from helpdesk.models import User
    from tickets.desk import queue

    cache.clear()  # team ids are cached
    call_command("seed_demo")
    open_claims = Claim.objects.filter(customer__email="customer@demo.claimdesk.cn").exclude(
        status__in=[ClaimStatus.RESOLVED, ClaimStatus.CLOSED]
    )
    by_team = {slug: list(open_claims.filter(team__slug=slug)) for slug in ("general", "senior")}
    assert by_team["general"] and by_team["senior"], "each team needs open demo claims"
    for email, own, other in (
        ("agent@demo.claimdesk.cn", "general", "senior"),
        ("agent2@demo.claimdesk.cn", "senior", "general"),
    ):
        agent = User.objects.get(email=email)
        page = queue.queue_for_agent(agent=agent)
        assert page.claims and {claim.team.slug for claim in page.claims} == {own}
        client = login_as(agent)
        listing = client.get("/agent/queue/")
        assert listing.status_code == 200 and by_team[own][0].reference in listing.content.decode()
        assert client.get(f"/agent/tickets/{by_team[own][0].reference}/").status_code == 200
        assert client.get(f"/agent/tickets/{by_team[other][0].reference}/").status_code == 404
        taken = client.post("/agent/queue/take-next/")
        assert taken.status_code == 302 and taken["Location"].startswith("/agent/tickets/")
        claim = Claim.objects.get(reference=taken["Location"].split("/")[3])
        assert claim.team.slug == own and claim.assignee == agent
    supervisor = login_as(User.objects.get(email="supervisor@demo.claimdesk.cn"))
    for claims in by_team.values():
        assert supervisor.get(f"/agent/tickets/{claims[0].reference}/").status_code == 200
