"""The SLA engine: due times from policies, pause/resume, each crossing recorded and alerted once."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from helpdesk.business_time import BusinessCalendar
from helpdesk.models import Notification, OutboxMessage, User
from helpdesk.outbox import relay
from tests.factories import StaffFactory, verify_phone
from tests.support.tickets import claim_input
from tickets import services, sla
from tickets.models import Callback, Claim, ClaimStatus, Priority, SlaCrossing, SlaPolicy


@pytest.fixture(autouse=True)
def _customer_phone_verified(request):
    """Call-backs go only to a verified phone: the persona has proved +8613800138000 by SMS code."""
    if "customer" in request.fixturenames:
        verify_phone(request.getfixturevalue("customer"))


SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)  # an ordinary Monday


@pytest.fixture
def policies(db):
    SlaPolicy.objects.all().delete()
    sla.forget_policies()
    high = SlaPolicy.objects.create(
        name="high value",
        position=10,
        high_value=True,
        first_response=timedelta(minutes=15),
        resolution=timedelta(hours=24),
        callback=timedelta(minutes=10),
    )
    office = SlaPolicy.objects.create(
        name="standard",
        position=100,
        first_response=timedelta(hours=4),
        next_response=timedelta(hours=2),
        resolution=timedelta(hours=16),
        callback=timedelta(hours=1),
        calendar="office",
        day_start=time(9),
        day_end=time(18),
    )
    return high, office


def file_claim(platform, customer, **overrides) -> Claim:
    return services.claim_create(customer=customer, data=claim_input(platform, **overrides))


def test_a_claim_gets_due_times_from_the_first_matching_policy(policies, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
    claim.refresh_from_db()
    assert claim.sla_policy == policies[1]
    assert claim.first_response_due_at == datetime(2026, 11, 23, 14, 0, tzinfo=SH)
    assert claim.first_response_warn_at == datetime(2026, 11, 23, 13, 0, tzinfo=SH)  # 75 %
    # 16 working hours from Monday 10:00 over 09-18 days: Monday 8 h, Tuesday 8 of 9 h → Tuesday 17:00
    assert claim.resolution_due_at == datetime(2026, 11, 24, 17, 0, tzinfo=SH)
    assert claim.sla_next_check_at == claim.first_response_warn_at


def test_over_a_weekend_the_office_clock_stops(policies, platform, customer):
    friday_17 = datetime(2026, 11, 27, 17, 0, tzinfo=SH)
    with time_machine.travel(friday_17, tick=False):
        claim = file_claim(platform, customer)
    assert claim.first_response_due_at == datetime(2026, 11, 30, 12, 0, tzinfo=SH)  # Mon 09:00 + 3 h


def test_high_value_claims_get_the_fast_policy_and_a_proactive_callback(policies, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer, amount=Decimal("800.00"), contact_phone="+8613800138000")
    assert claim.sla_policy == policies[0]
    assert claim.first_response_due_at == MONDAY_10 + timedelta(minutes=15)
    callback = Callback.objects.get(claim=claim)
    assert callback.due_at == MONDAY_10 + timedelta(minutes=10)
    assert callback.reason == "high_value" and len(callback.code) == 4 and callback.code.isdigit()


def test_waiting_on_customer_pauses_and_resuming_shifts_by_the_paused_business_time(
    policies, platform, customer
):
    agent = StaffFactory()
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
    due = claim.resolution_due_at
    with time_machine.travel(MONDAY_10 + timedelta(hours=1), tick=False):
        claim = Claim.objects.get(pk=claim.pk)
        services._change_status(
            claim, agent, ClaimStatus.WAITING_ON_CUSTOMER, kind="status_changed", action="t"
        )
    claim.refresh_from_db()
    assert claim.sla_paused_at is not None and claim.sla_next_check_at is None
    # The customer answers the next morning at 10:00: 8 working hours passed (Mon 11-18, Tue 9-10).
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=SH), tick=False):
        services.claim_reply(claim=Claim.objects.get(pk=claim.pk), author=customer, body="订单截图已补充")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN and claim.sla_paused_at is None
    office = BusinessCalendar(always=False, day_start=time(9), day_end=time(18))
    assert office.elapsed(due, claim.resolution_due_at) == timedelta(hours=8)


def test_an_agent_reply_meets_the_first_response_and_a_customer_message_starts_the_next(
    policies, platform, customer
):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
    claim = Claim.objects.get(pk=claim.pk)
    with time_machine.travel(MONDAY_10 + timedelta(minutes=30), tick=False):
        fields = sla.sla_on_agent_reply(claim, MONDAY_10 + timedelta(minutes=30))
        claim.save(update_fields=fields)
    assert claim.first_responded_at is not None and claim.sla_next_check_at == claim.resolution_warn_at
    with time_machine.travel(MONDAY_10 + timedelta(hours=1), tick=False):
        services.claim_reply(claim=Claim.objects.get(pk=claim.pk), author=customer, body="还是没到账")
    claim.refresh_from_db()
    assert claim.next_response_due_at == MONDAY_10 + timedelta(hours=3)


def test_the_sweep_records_each_crossing_once_and_alerts(policies, platform, customer, supervisor):
    agent = StaffFactory()
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
    Claim.objects.filter(pk=claim.pk).update(assignee=agent)
    warn_time = MONDAY_10 + timedelta(hours=3, minutes=1)
    assert sla.sla_sweep(now=warn_time) == 1
    assert sla.sla_sweep(now=warn_time) == 0  # a re-run (or a second beat) records nothing
    crossing = SlaCrossing.objects.get()
    assert (crossing.target, crossing.level) == ("first_response", "warning")
    breach_time = MONDAY_10 + timedelta(hours=4, minutes=1)
    assert sla.sla_sweep(now=breach_time) == 1
    assert sla.sla_sweep(now=breach_time + timedelta(minutes=1)) == 0
    while relay():
        pass
    warning_to = set(Notification.objects.filter(event="sla.warning").values_list("user_id", flat=True))
    breach_to = set(Notification.objects.filter(event="sla.breach").values_list("user_id", flat=True))
    assert warning_to == {agent.pk}  # the assignee is warned
    assert breach_to == {agent.pk, supervisor.pk}  # and the supervisor hears of the breach
    assert Notification.objects.filter(event="sla.breach").count() == 2
    claim.refresh_from_db()
    assert claim.priority == Priority.P1  # escalated one step from P2


def test_a_breached_urgent_claim_gets_a_callback(policies, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer, contact_phone="+8613800138000")
    assert claim.priority <= Priority.P2 and not Callback.objects.exists()
    sla.sla_sweep(now=MONDAY_10 + timedelta(hours=5))
    assert Callback.objects.get(claim=claim).reason == "breach"


def test_a_breached_urgent_claim_of_a_customer_without_a_verified_phone_gets_no_callback(
    policies, platform, customer
):
    User.objects.filter(pk=customer.pk).update(phone_verified_at=None)
    customer.refresh_from_db()
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer, contact_phone="+8613800138000")
    sla.sla_sweep(now=MONDAY_10 + timedelta(hours=5))
    assert claim.priority <= Priority.P2 and not Callback.objects.exists()


def test_a_paused_or_finished_claim_is_never_swept(policies, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
        services.claim_withdraw(claim=Claim.objects.get(pk=claim.pk), actor=customer)
    claim.refresh_from_db()
    assert claim.sla_next_check_at is None
    assert sla.sla_sweep(now=MONDAY_10 + timedelta(days=10)) == 0


def test_the_sweep_reads_only_claims_that_are_due(
    policies, platform, customer, django_assert_max_num_queries
):
    with time_machine.travel(MONDAY_10, tick=False):
        for n in range(30):
            file_claim(platform, customer, order_number=f"ORD{n}")
    with django_assert_max_num_queries(3):  # nothing due: one indexed read and the savepoint/commit
        assert sla.sla_sweep(now=MONDAY_10 + timedelta(minutes=5)) == 0
    assert sla.sla_sweep(now=MONDAY_10 + timedelta(hours=3, minutes=1)) == 30
    assert not OutboxMessage.objects.filter(event__startswith="notification.").exists()  # nobody to tell


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_record_and_alert_each_crossing_once(postgres, policies, customer, supervisor):
    from tests.factories import claim_platform
    from tests.support.tickets import ensure_problem_types

    ensure_problem_types()
    platform = claim_platform()
    with time_machine.travel(MONDAY_10, tick=False):
        for n in range(200):
            file_claim(platform, customer, order_number=f"RACE{n}")
    later = MONDAY_10 + timedelta(hours=5)
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def sweep() -> None:
        try:
            barrier.wait()
            counts.append(sla.sla_sweep(now=later, batch_size=50))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 400  # 200 warnings + 200 breaches, split between the two
    assert SlaCrossing.objects.count() == 400
    while relay():
        pass
    # One breach alert per claim for the supervisor; warnings go to nobody (no assignee, no team).
    assert Notification.objects.filter(user=supervisor, event="sla.breach").count() == 200


def test_the_claims_team_is_warned_too(policies, platform, customer):
    from tickets.models import Team, TeamMembership

    member = StaffFactory()
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
    claim.refresh_from_db()
    team = claim.team or Team.objects.create(name="t", slug="t")
    Claim.objects.filter(pk=claim.pk).update(team=team)
    TeamMembership.objects.create(team=team, user=member)
    sla.sla_sweep(now=MONDAY_10 + timedelta(hours=3, minutes=1))
    while relay():
        pass
    assert Notification.objects.filter(user=member, event="sla.warning").count() == 1


def test_the_report_counts_met_and_missed_targets_for_supervisors_only(
    policies, platform, customer, login_as, supervisor, agent
):
    with time_machine.travel(MONDAY_10, tick=False):
        met = file_claim(platform, customer, order_number="MET")
        missed = file_claim(platform, customer, order_number="MISSED")
    Claim.objects.filter(pk=met.pk).update(first_responded_at=MONDAY_10 + timedelta(minutes=30))
    Claim.objects.filter(pk=missed.pk).update(first_responded_at=MONDAY_10 + timedelta(hours=6))
    from tickets.reports import sla_report

    [row] = sla_report(dimension="platform", since=MONDAY_10 - timedelta(days=1))
    assert (row.first_met, row.first_total) == (1, 2)
    assert row.median_first_response == timedelta(hours=3, minutes=15)
    assert login_as(agent).get("/agent/reports/sla/").status_code == 404
    assert login_as(customer).get("/agent/reports/sla/").status_code == 404
    page = login_as(supervisor).get("/agent/reports/sla/?days=3650").content.decode()
    assert platform.name in page and "50%" in page
