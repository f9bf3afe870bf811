"""The SLA engine: due times from policies, pause/resume, each crossing recorded and alerted once."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils.timezone import now as timezone_now

from helpdesk.business_time import BusinessCalendar
from helpdesk.models import Notification, OutboxMessage, Role, User
from helpdesk.outbox import relay
from tests.factories import StaffFactory, verify_phone
from tests.support.tickets import claim_input
from tickets.claims import services
from tickets.models import Callback, Claim, ClaimStatus, Priority, SlaCheck, SlaCrossing, SlaPolicy
from tickets.sla import policies as sla_policies
from tickets.sla.clock import next_check, sla_on_agent_reply
from tickets.sla.policies import forget_policies
from tickets.sla.sweep import sla_sweep


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
    forget_policies()
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


def next_check_of(claim: Claim) -> datetime | None:
    """When the sweep will look at the claim next (the SlaCheck side table); None: it never will."""
    return SlaCheck.objects.filter(claim=claim).values_list("next_check_at", flat=True).first()


def test_a_claim_gets_due_times_from_the_first_matching_policy(policies, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
    claim.refresh_from_db()
    assert claim.sla_policy == policies[1]
    assert claim.first_response_due_at == datetime(2026, 11, 23, 14, 0, tzinfo=SH)
    assert claim.first_response_warn_at == datetime(2026, 11, 23, 13, 0, tzinfo=SH)  # 75 %
    # 16 working hours from Monday 10:00 over 09-18 days: Monday 8 h, Tuesday 8 of 9 h → Tuesday 17:00
    assert claim.resolution_due_at == datetime(2026, 11, 24, 17, 0, tzinfo=SH)
    assert next_check_of(claim) == claim.first_response_warn_at


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
        services.claim_change_status(
            claim, agent, ClaimStatus.WAITING_ON_CUSTOMER, kind="status_changed", action="t"
        )
    claim.refresh_from_db()
    assert claim.sla_paused_at is not None and next_check_of(claim) is None
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
        fields = sla_on_agent_reply(claim, MONDAY_10 + timedelta(minutes=30))
        claim.save(update_fields=fields)
    assert claim.first_responded_at is not None and next_check_of(claim) == claim.resolution_warn_at
    with time_machine.travel(MONDAY_10 + timedelta(hours=1), tick=False):
        services.claim_reply(claim=Claim.objects.get(pk=claim.pk), author=customer, body="还是没到账")
    claim.refresh_from_db()
    assert claim.next_response_due_at == MONDAY_10 + timedelta(hours=3)


def test_the_sweep_records_each_crossing_once_and_alerts(policies, platform, customer, supervisor):
    agent = StaffFactory()
    retired = StaffFactory(role=Role.SUPERVISOR, is_active=False)  # no alerts to a disabled account
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
    Claim.objects.filter(pk=claim.pk).update(assignee=agent)
    warn_time = MONDAY_10 + timedelta(hours=3, minutes=1)
    assert sla_sweep(now=warn_time) == 1
    assert sla_sweep(now=warn_time) == 0  # a re-run (or a second beat) records nothing
    crossing = SlaCrossing.objects.get()
    assert (crossing.target, crossing.level) == ("first_response", "warning")
    breach_time = MONDAY_10 + timedelta(hours=4, minutes=1)
    assert sla_sweep(now=breach_time) == 1
    assert sla_sweep(now=breach_time + timedelta(minutes=1)) == 0
    while relay():
        pass
    warning_to = set(Notification.objects.filter(event="sla.warning").values_list("user_id", flat=True))
    breach_to = set(Notification.objects.filter(event="sla.breach").values_list("user_id", flat=True))
    assert warning_to == {agent.pk}  # the assignee is warned
    assert breach_to == {agent.pk, supervisor.pk}  # and the supervisor hears of the breach
    assert retired.pk not in breach_to
    assert Notification.objects.filter(event="sla.breach").count() == 2
    claim.refresh_from_db()
    assert claim.priority == Priority.P1  # escalated one step from P2


def test_a_breached_urgent_claim_gets_a_callback(policies, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer, contact_phone="+8613800138000")
    assert claim.priority <= Priority.P2 and not Callback.objects.exists()
    sla_sweep(now=MONDAY_10 + timedelta(hours=5))
    assert Callback.objects.get(claim=claim).reason == "breach"


def test_a_breached_urgent_claim_of_a_customer_without_a_verified_phone_gets_no_callback(
    policies, platform, customer
):
    User.objects.filter(pk=customer.pk).update(phone_verified_at=None)
    customer.refresh_from_db()
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer, contact_phone="+8613800138000")
    sla_sweep(now=MONDAY_10 + timedelta(hours=5))
    assert claim.priority <= Priority.P2 and not Callback.objects.exists()


def test_a_paused_or_finished_claim_is_never_swept(policies, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
        services.claim_withdraw(claim=Claim.objects.get(pk=claim.pk), actor=customer)
    claim.refresh_from_db()
    assert next_check_of(claim) is None
    assert sla_sweep(now=MONDAY_10 + timedelta(days=10)) == 0


def test_the_sweep_moves_the_check_to_the_next_threshold_and_drops_it_when_none_is_left(
    policies, platform, customer
):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
    claim.refresh_from_db()
    assert next_check_of(claim) == next_check(claim) == claim.first_response_warn_at
    assert sla_sweep(now=claim.first_response_warn_at + timedelta(minutes=1)) == 1
    assert next_check_of(claim) == claim.first_response_due_at  # the next future threshold, by the same rule
    assert next_check_of(claim) == next_check(claim, after=claim.first_response_warn_at)
    # Long after every target: the missed ones are recorded at once and nothing is left to look at.
    assert sla_sweep(now=claim.resolution_due_at + timedelta(days=1)) == 3
    assert next_check_of(claim) is None
    assert set(SlaCrossing.objects.values_list("target", "level")) == {
        ("first_response", "warning"),
        ("first_response", "breach"),
        ("resolution", "warning"),
        ("resolution", "breach"),
    }


def test_a_threshold_already_past_when_a_clock_changes_is_swept_at_the_next_run(policies, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
    # The agent answers after the resolution warning has already passed (nobody swept in between).
    late = Claim.objects.get(pk=claim.pk)
    with time_machine.travel(late.resolution_warn_at + timedelta(minutes=5), tick=False):
        late.save(update_fields=sla_on_agent_reply(late, timezone_now()))
    assert next_check_of(late) == late.resolution_warn_at  # past thresholds count: recorded once, next run
    assert sla_sweep(now=late.resolution_warn_at + timedelta(minutes=6)) == 1
    assert SlaCrossing.objects.get().target == "resolution"


def test_a_claim_paused_behind_the_services_back_is_not_swept(policies, platform, customer):
    """The rule, not the table, decides: a check row left for a claim that waits on the customer records
    nothing and goes."""
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
    Claim.objects.filter(pk=claim.pk).update(
        status=ClaimStatus.WAITING_ON_CUSTOMER, sla_paused_at=MONDAY_10 + timedelta(minutes=5)
    )
    assert sla_sweep(now=MONDAY_10 + timedelta(days=3)) == 0
    assert next_check_of(claim) is None and not SlaCrossing.objects.exists()


def test_policies_are_cached_for_the_ttl_and_reloaded_when_forgotten(
    policies, settings, django_assert_num_queries
):
    settings.CLAIM_REFERENCE_DATA_TTL = 60
    forget_policies()
    try:
        loaded = sla_policies.policies()
        assert [p.id for p in loaded] == [policies[0].pk, policies[1].pk]
        SlaPolicy.objects.filter(pk=policies[0].pk).update(active=False)
        with django_assert_num_queries(0):
            assert sla_policies.policies() == loaded  # cached: the change shows within the TTL
        forget_policies()  # what saving a policy does (desk_services, admin)
        assert [p.id for p in sla_policies.policies()] == [policies[1].pk]
    finally:
        forget_policies()


def test_the_sweep_reads_only_claims_that_are_due(
    policies, platform, customer, django_assert_max_num_queries
):
    with time_machine.travel(MONDAY_10, tick=False):
        for n in range(30):
            file_claim(platform, customer, order_number=f"ORD{n}")
    with django_assert_max_num_queries(3):  # nothing due: one indexed read and the savepoint/commit
        assert sla_sweep(now=MONDAY_10 + timedelta(minutes=5)) == 0
    assert sla_sweep(now=MONDAY_10 + timedelta(hours=3, minutes=1)) == 30
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
            counts.append(sla_sweep(now=later, batch_size=50))
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
    sla_sweep(now=MONDAY_10 + timedelta(hours=3, minutes=1))
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


@pytest.mark.parametrize("claims", [2, 40])
def test_the_sweeps_query_count_does_not_grow_with_the_crossings(
    policies, platform, customer, settings, claims
):
    """Warnings, breaches, escalation, the customers' late notices and the staff's alerts: the same
    statements for 2 claims (4 crossings) as for 40 (80). The count is pinned, so that a per-claim query
    fails here for either size. (Call-backs for breached urgent claims, made one by one in
    tickets.callbacks, need a verified phone: this customer has none.)"""
    from django.test.utils import CaptureQueriesContext

    from tickets.models import ClaimEvent, Team, TeamMembership

    User.objects.filter(pk=customer.pk).update(phone_verified_at=None)
    customer.refresh_from_db()
    agent, member = StaffFactory(), StaffFactory()
    team = Team.objects.create(name="sweep", slug="sweep")
    TeamMembership.objects.create(team=team, user=member)
    StaffFactory(role=Role.SUPERVISOR)
    with time_machine.travel(MONDAY_10, tick=False):
        filed = [file_claim(platform, customer, order_number=f"QC{n}") for n in range(claims)]
    Claim.objects.filter(pk__in=[c.pk for c in filed]).update(assignee=agent, team=team)
    settings.CLAIM_REFERENCE_DATA_TTL = 60  # as deployed: the policies are read once, then cached
    forget_policies()
    try:
        with CaptureQueriesContext(connection) as captured:
            assert sla_sweep(now=MONDAY_10 + timedelta(hours=5)) == 2 * claims  # warning + breach each
    finally:
        forget_policies()
    # Savepoint or BEGIN, due ids, lock, crossings, checks, escalation, call-back candidates, the policies
    # (3, then cached), late notices' timeline entries, supervisors, team members, one outbox row, release.
    assert len(captured.captured_queries) == 15, "\n".join(q["sql"][:100] for q in captured.captured_queries)
    assert ClaimEvent.objects.filter(kind="sla_promise", data__state="late").count() == claims
    assert OutboxMessage.objects.filter(event="notification.send_many").count() == 1
    assert not Callback.objects.exists()


def test_the_sweeps_row_carries_every_column_the_rule_the_alerts_and_the_policies_read():
    from tickets.sla.alerts import ALERT_COLUMNS
    from tickets.sla.clock import CLOCK_COLUMNS
    from tickets.sla.rows import POLICY_COLUMNS, ROW_COLUMNS

    assert {*CLOCK_COLUMNS, *ALERT_COLUMNS, *POLICY_COLUMNS} == set(ROW_COLUMNS)


def test_an_array_literal_refuses_what_would_need_quoting():
    from tickets.sla.arrays import pg_array

    moment = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
    assert pg_array([1, 22]) == "{1,22}"
    assert pg_array(["first_response", moment]) == "{first_response,2026-11-23T10:00:00+08:00}"
    assert pg_array([]) == "{}"
    for bad in ('a"b', "a,b", "", "a b", "{x}", datetime(2026, 1, 1)):
        with pytest.raises(ValueError):
            pg_array([bad])
