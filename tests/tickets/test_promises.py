"""Promises with states: what the customer sees on the claim page and in notifications, for each default
SLA policy (the data migration's rows), and how each promise changes when met, missed or cancelled."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from helpdesk import sms
from helpdesk.models import OutboxMessage, User
from tests.factories import StaffFactory, problem_type, verify_phone
from tests.support.tickets import claim_input
from tickets.callbacks import services as callbacks
from tickets.claims import services
from tickets.desk import services as agent_services
from tickets.models import Callback, CallbackStatus, Claim, ClaimEvent, EventKind, SlaPolicy
from tickets.sla.policies import forget_policies
from tickets.sla.sweep import sla_sweep


@pytest.fixture(autouse=True)
def _customer_phone_verified(request):
    """Call-backs go only to a verified phone: the persona has proved +8613800138000 by SMS code."""
    if "customer" in request.fixturenames:
        verify_phone(request.getfixturevalue("customer"))


SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)  # an ordinary Monday


@pytest.fixture(autouse=True)
def _default_policies(db):
    forget_policies()
    assert SlaPolicy.objects.filter(active=True).count() >= 3  # the data migration's defaults
    yield
    forget_policies()


def file_claim(platform, customer, **overrides) -> Claim:
    claim = services.claim_create(customer=customer, data=claim_input(platform, **overrides))
    claim.refresh_from_db()
    return claim


def page(login_as, customer, claim) -> str:
    client = login_as(customer)
    client.cookies["claimdesk_language"] = "en"
    response = client.get(f"/claims/{claim.reference}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def notified(event: str) -> list[dict]:
    """Notifications written to the outbox for ``event`` (one by one or in a sweep's batch)."""
    found = []
    for message in OutboxMessage.objects.filter(event__in=["notification.send", "notification.send_many"]):
        found += [item for item in message.payload.get("items", [message.payload]) if item["event"] == event]
    return found


def test_the_standard_policy_promises_a_resolution_in_three_working_days(login_as, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer, problem_type=problem_type("duplicate-charge"))
        html = page(login_as, customer, claim)
    assert claim.sla_policy.name.endswith("Standard")
    # 36 business hours on a 09–21 day from Monday 10:00: Thursday 10:00
    assert "Resolution target: within 3 working days, by 2026-11-26 10:00." in html
    assert "First reply before 2026-11-23 12:00 (Beijing time)." in html
    assert "We will call you" not in html  # no call-back promised unasked
    promised = ClaimEvent.objects.filter(claim=claim, kind=EventKind.SLA_PROMISE)
    assert {e.data["target"] for e in promised} == {"first_response", "resolution"}
    timeline = ClaimEvent.objects.filter(claim=claim).order_by("id")  # the promises follow the filing
    assert [(e.kind, e.data.get("target")) for e in timeline] == [
        (EventKind.FILED, None),
        (EventKind.SLA_PROMISE, "first_response"),
        (EventKind.SLA_PROMISE, "resolution"),
    ]


def test_the_urgent_policy_promises_a_reply_in_fifteen_minutes(login_as, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)  # top-up not credited: severity 3, P2
        html = page(login_as, customer, claim)
    assert claim.sla_policy.name.endswith("Urgent") and claim.priority <= 2
    assert "First reply before 2026-11-23 10:15 (Beijing time)." in html
    assert "Resolution target: by 2026-11-24 10:00." in html


def test_the_high_value_policy_promises_a_call_back_in_ten_minutes(login_as, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer, amount=Decimal("800.00"), contact_phone="13912345678")
        html = page(login_as, customer, claim)
    assert claim.sla_policy.name.endswith("High value")
    assert 'data-testid="callback-panel"' in html
    # The customer's verified phone, not the number typed on the claim: we call no unverified number.
    assert "An agent will call +86 138 0013 8000 before 2026-11-23 10:10 (Beijing time)." in html
    assert "First reply before 2026-11-23 10:15 (Beijing time)." in html
    kinds = [e.data["target"] for e in ClaimEvent.objects.filter(claim=claim, kind=EventKind.SLA_PROMISE)]
    assert "call-back" in kinds or "callback" in kinds


def test_a_high_value_claim_without_a_phone_asks_for_one_and_alerts_the_team(
    login_as, platform, customer, supervisor
):
    User.objects.filter(pk=customer.pk).update(phone_verified_at=None)
    customer.refresh_from_db()
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer, amount=Decimal("800.00"), contact_phone="")
        html = page(login_as, customer, claim)
    assert not Callback.objects.filter(claim=claim).exists()
    assert "within 10 minutes, but only on a verified phone number" in html
    assert f'href="/accounts/phone/?next=/claims/{claim.reference}/"' in html.replace("%2F", "/")
    assert 'data-testid="callback-panel"' not in html
    assert notified("callback.phone_needed")[0]["user_ids"] == [customer.pk]
    assert supervisor.pk in notified("callback.phone_missing")[0]["user_ids"]  # no team: supervisors
    # The customer verifies a number by SMS code: the 10-minute call-back is arranged now, to that number.
    client = login_as(customer)
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        client.post("/accounts/phone/", {"action": "send", "phone": "13912345678"})
        code = "".join(ch for ch in sms.LoggingBackend.sent[-1].text if ch.isdigit())[:6]
        done = client.post(
            "/accounts/phone/", {"action": "confirm", "code": code, "next": f"/claims/{claim.reference}/"}
        )
    assert done["Location"] == f"/claims/{claim.reference}/"
    callback = Callback.objects.get(claim=claim)
    assert callback.phone == "+8613912345678" and callback.reason == callbacks.HIGH_VALUE
    assert callback.due_at == MONDAY_10 + timedelta(minutes=15)


def test_an_unverified_number_on_the_claim_gets_no_call_back_and_no_team_alert(login_as, platform, customer):
    User.objects.filter(pk=customer.pk).update(phone_verified_at=None)
    customer.refresh_from_db()
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer, amount=Decimal("800.00"), contact_phone="13912345678")
        html = page(login_as, customer, claim)
    assert not Callback.objects.exists()
    assert "only on a verified phone number" in html and not notified("callback.phone_missing")
    response = login_as(customer).post(f"/claims/{claim.reference}/callback/", {"phone": "13912345678"})
    assert response.status_code == 400 and not Callback.objects.exists()


def test_a_reply_meets_the_first_reply_promise(login_as, platform, customer):
    lead = StaffFactory(role="supervisor")
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        agent_services.claim_agent_reply(claim=claim, agent=lead, body="我们正在核实您的充值记录。")
        html = page(login_as, customer, claim)
    assert "First reply: answered at 10:05" in html
    assert "First reply before" not in html


def test_a_missed_first_reply_says_sorry_and_names_the_new_time(login_as, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer)
    with time_machine.travel(MONDAY_10 + timedelta(minutes=20), tick=False):
        html = page(login_as, customer, claim)
        sla_sweep()
    new_time = "2026-11-23 10:30"  # the 15-minute window again from the missed 10:15
    apology = "Sorry, we are late: we promised a first reply by 2026-11-23 10:15."
    assert f"{apology} An agent will answer before {new_time}." in html
    assert "First reply before" not in html
    late = notified("promise.first_response_late")
    assert late and late[0]["user_ids"] == [customer.pk] and late[0]["context"]["due_at"] == new_time
    event = ClaimEvent.objects.filter(claim=claim, kind=EventKind.SLA_PROMISE, data__state="late").get()
    assert event.data["target"] == "first_response"


def test_a_late_call_back_apologises_with_a_new_time(login_as, platform, customer):
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer, amount=Decimal("800.00"), contact_phone="13912345678")
    with time_machine.travel(MONDAY_10 + timedelta(minutes=12), tick=False):
        html = page(login_as, customer, claim)
        assert callbacks.callback_sweep_overdue() == 1
    apology = "We are late: we promised to call you by 2026-11-23 10:10. Sorry."
    assert f"{apology} An agent will call you before 2026-11-23 10:20." in html
    assert "An agent will call +86 139 1234 5678 before" not in html
    assert notified("promise.callback_late")[0]["context"]["due_at"] == "2026-11-23 10:20"


def test_waiting_on_the_customer_cancels_the_unrequested_call_back(login_as, platform, customer):
    lead = StaffFactory(role="supervisor")
    with time_machine.travel(MONDAY_10, tick=False):
        claim = file_claim(platform, customer, amount=Decimal("800.00"), contact_phone="13912345678")
    with time_machine.travel(MONDAY_10 + timedelta(minutes=2), tick=False):
        agent_services.claim_request_info(claim=claim, agent=lead, body="请上传付款截图，谢谢。")
        html = page(login_as, customer, claim)
    assert Callback.objects.get(claim=claim).status == CallbackStatus.CANCELLED
    assert "We will not call you while we wait for your written answer." in html
    assert 'data-testid="callback-panel"' not in html
    assert "First reply: answered at 10:02" in html
    assert "Resolution target: paused while we wait for your answer" in html


def test_chinese_alerts_translate_the_target_and_call_a_claim_suopei():
    from django.utils import translation

    from helpdesk.models import NotificationTemplate
    from helpdesk.notifications import render_string

    breach = NotificationTemplate.objects.get(event="sla.breach", channel="in_app", language="zh-hans")
    with translation.override("zh-hans"):
        title = render_string(breach.subject, {"reference": "XY-1", "target_label": "first response"})
    assert title == "XY-1：首次回复已超时"
    filed = NotificationTemplate.objects.get(event="claim.filed", channel="in_app", language="zh-hans")
    assert "索赔" in filed.subject and "理赔" not in filed.subject


def test_the_filed_notification_states_the_promises(platform, customer):
    from django.utils import translation

    from helpdesk.models import Notification
    from helpdesk.outbox import relay

    customer.language = "en"
    customer.save(update_fields=["language"])
    with time_machine.travel(MONDAY_10, tick=False):
        file_claim(platform, customer, problem_type=problem_type("duplicate-charge"))
        with translation.override("en"):
            while relay():
                pass
    body = Notification.objects.get(user=customer, event="claim.filed").body
    assert body.endswith("First reply before 2026-11-23 12:00; we aim to resolve it by 2026-11-26 10:00."), (
        body
    )
