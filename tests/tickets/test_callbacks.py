"""Call-backs: asked for by the customer or created for them, with the official number and a code."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from helpdesk.models import Notification
from helpdesk.outbox import relay
from tests.factories import ClaimFactory, PlatformFactory, StaffFactory, TeamFactory, join_team, verify_phone
from tests.support.auth import totp_device
from tests.support.contacts import draft, evidence
from tickets.callbacks import selectors as callback_selectors
from tickets.callbacks import services as callbacks
from tickets.models import Callback, CallbackStatus, ClaimEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _customer_phone_verified(request):
    """Call-backs go only to a verified phone: the persona has proved +8613800138000 by SMS code."""
    if "customer" in request.fixturenames:
        verify_phone(request.getfixturevalue("customer"))


def _published(platform, directory_admin, second_directory_admin, **overrides):
    """Published the only way there is: proposed by one directory admin, approved by another."""
    from contacts import services as directory

    totp_device(directory_admin)
    totp_device(second_directory_admin)
    proposal = directory.channel_propose(
        actor=directory_admin, platform=platform, draft=draft(**overrides), evidence=evidence()
    )
    return directory.proposal_approve(
        actor=second_directory_admin, proposal=proposal, fingerprint=proposal.fingerprint
    )


@pytest.fixture
def team(db):
    return TeamFactory(slug="callbacks", name="Call-backs")


@pytest.fixture
def agent(agent, team):
    """Call-backs are team-scoped like their claims (tickets.access): the agent works the claims' team."""
    return join_team(agent, team)


@pytest.fixture
def official_hotline(platform, directory_admin, second_directory_admin):
    """The inbound claims hotline, marked "never calls you" as in the demo directory."""
    return _published(platform, directory_admin, second_directory_admin, inbound_only=True)


@pytest.fixture
def callback_line(platform, official_hotline, directory_admin, second_directory_admin):
    return _published(
        platform,
        directory_admin,
        second_directory_admin,
        kind="callback_line",
        value="021-6051-8800",
        problem_types=[],
        hours_mode="none",
        expected_response_minutes=None,
    )


def deliver() -> None:
    while relay():
        pass


def test_the_customer_asks_for_a_call_back_and_sees_the_call_back_line_and_code(
    login_as, customer, platform, callback_line
):
    claim = ClaimFactory(customer=customer, platform=platform, contact_phone="+8613800138000")
    client = login_as(customer)
    page = client.get(f"/claims/{claim.reference}/").content.decode()
    assert 'value="+8613800138000"' in page  # pre-filled
    response = client.post(f"/claims/{claim.reference}/callback/", {"phone": "138 0013 8000"})
    assert response.status_code == 302
    callback = Callback.objects.get(claim=claim)
    assert callback.phone == "+8613800138000" and callback.status == CallbackStatus.PENDING
    page = client.get(f"/claims/{claim.reference}/").content.decode()
    assert "021-6051-8800" in page and callback.code in page
    assert "回电专线" in page and "不是我们" in page  # "a call from any other number … is not us"
    # The inbound hotline never calls anyone (the checker says so): the call-back must not name it.
    assert "400-612-3456" not in page
    # Asking again changes nothing.
    client.post(f"/claims/{claim.reference}/callback/", {"phone": "13800138000"})
    assert Callback.objects.filter(claim=claim).count() == 1
    deliver()
    note = Notification.objects.get(user=customer, event="callback.scheduled")
    assert callback.code in note.body and "021-6051-8800" in note.body
    assert "400-612-3456" not in note.body


def test_without_a_call_back_line_the_claim_page_names_no_number_and_says_why(
    login_as, customer, platform, official_hotline
):
    claim = ClaimFactory(customer=customer, platform=platform, contact_phone="+8613800138000")
    client = login_as(customer)
    assert client.post(f"/claims/{claim.reference}/callback/", {"phone": "13800138000"}).status_code == 302
    callback = Callback.objects.get(claim=claim)
    page = client.get(f"/claims/{claim.reference}/").content.decode()
    assert "400-612-3456" not in page  # published, but inbound only: never named as the caller
    assert f"{platform.name}未公布回电专线" in page and callback.code in page
    assert 'data-testid="callback-no-number"' in page and 'href="/check/"' in page
    assert "说不出核验码的来电不是我们" in page
    deliver()
    assert not Notification.objects.filter(user=customer, event="callback.scheduled").exists()
    note = Notification.objects.get(user=customer, event="callback.scheduled_unlisted")
    assert callback.code in note.body and "未公布回电专线" in note.body
    assert "400-612-3456" not in note.body + note.title


def test_the_english_claim_page_says_the_same(login_as, customer, platform, callback_line):
    claim = ClaimFactory(customer=customer, platform=platform, contact_phone="+8613800138000")
    callback = callbacks.callback_request(claim=claim, customer=customer, phone="+8613800138000")
    client = login_as(customer)
    client.cookies["claimdesk_language"] = "en"
    page = client.get(f"/claims/{claim.reference}/").content.decode()
    assert "The call comes from <strong>021-6051-8800</strong>" in page and callback.code in page


def test_a_suspended_call_back_line_is_not_named(customer, platform, callback_line, directory_admin):
    from contacts import services as directory
    from contacts.selectors import official_callback_number

    assert official_callback_number(platform_id=platform.pk) == "021-6051-8800"
    directory.channel_suspend(actor=directory_admin, channel=callback_line, reason="号码被盗用")
    assert official_callback_number(platform_id=platform.pk) == ""


def test_a_high_value_claim_of_a_platform_without_a_call_back_line_names_no_number(
    customer, platform, official_hotline
):
    claim = ClaimFactory(
        customer=customer, platform=platform, contact_phone="+8613800138000", is_high_value=True
    )
    created = callbacks.callback_for_new_claim(claim, timezone.now())
    assert created is not None
    deliver()
    note = Notification.objects.get(user=customer)
    assert note.event == "callback.scheduled_unlisted" and "400-612-3456" not in note.body


def test_another_customer_cannot_ask_for_a_call_back_on_my_claim(
    login_as, customer, other_customer, platform
):
    claim = ClaimFactory(customer=customer, platform=platform)
    response = login_as(other_customer).post(f"/claims/{claim.reference}/callback/", {"phone": "13800138000"})
    assert response.status_code == 404
    assert not Callback.objects.exists()


def test_a_bad_phone_number_or_window_is_explained_and_nothing_is_lost(login_as, customer, platform):
    claim = ClaimFactory(customer=customer, platform=platform)
    client = login_as(customer)
    response = client.post(f"/claims/{claim.reference}/callback/", {"phone": "12"})
    assert response.status_code == 400 and "有效的手机号" in response.content.decode()
    start = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    end = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/claims/{claim.reference}/callback/",
        {"phone": "13800138000", "window_start": start, "window_end": end},
    )
    assert response.status_code == 400 and start in response.content.decode()
    assert not Callback.objects.exists()


def test_unreached_after_the_last_attempt_tells_the_customer_and_notes_the_claim(
    settings, customer, platform, agent, team
):
    settings.CALLBACK_MAX_ATTEMPTS = 2
    claim = ClaimFactory(customer=customer, platform=platform, team=team)
    callback = callbacks.callback_request(claim=claim, customer=customer, phone="+8613800138000")
    callbacks.callback_record_attempt(callback=callback, agent=agent, outcome="no_answer")
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PENDING and callback.attempts == 1
    callbacks.callback_record_attempt(callback=callback, agent=agent, outcome="no_answer")
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.UNREACHED
    assert ClaimEvent.objects.filter(claim=claim, kind="callback_done", data__unreached=2).exists()
    deliver()
    assert Notification.objects.filter(user=customer, event="callback.unreached").count() == 1
    with pytest.raises(ValidationError):
        callbacks.callback_record_attempt(callback=callback, agent=agent, outcome="reached")


def test_reached_closes_the_call_back(customer, platform, agent, team):
    claim = ClaimFactory(customer=customer, platform=platform, team=team)
    callback = callbacks.callback_request(claim=claim, customer=customer, phone="+8613800138000")
    callbacks.callback_record_attempt(callback=callback, agent=agent, outcome="reached", note="已补发")
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.DONE and callback.owner == agent and callback.result == "已补发"


def test_overdue_call_backs_alert_once(customer, platform, supervisor):
    owner = StaffFactory()
    claim = ClaimFactory(customer=customer, platform=platform, assignee=owner)
    callback = callbacks.callback_request(claim=claim, customer=customer, phone="+8613800138000")
    later = callback.due_at + timedelta(minutes=1)
    assert callbacks.callback_sweep_overdue(now=callback.due_at - timedelta(minutes=1)) == 0
    assert callbacks.callback_sweep_overdue(now=later) == 1
    assert callbacks.callback_sweep_overdue(now=later + timedelta(minutes=5)) == 0
    deliver()
    alerted = set(Notification.objects.filter(event="callback.overdue").values_list("user_id", flat=True))
    assert alerted == {owner.pk, supervisor.pk}


def test_the_agent_list_is_for_agents_only_and_records_attempts(login_as, customer, platform, agent, team):
    claim = ClaimFactory(customer=customer, platform=platform, amount=Decimal("800"), team=team)
    callback = callbacks.callback_request(claim=claim, customer=customer, phone="+8613800138000")
    assert login_as(customer).get("/agent/callbacks/").status_code == 404
    client = login_as(agent)
    page = client.get("/agent/callbacks/").content.decode()
    assert claim.reference in page and callback.code in page
    response = client.post(f"/agent/callbacks/{callback.pk}/attempt/", {"outcome": "reached"})
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.DONE
    assert client.post(f"/agent/callbacks/{callback.pk}/attempt/", {"outcome": "reached"}).status_code == 404


def test_the_agent_list_shows_the_call_back_line_to_call_from(
    login_as, customer, platform, agent, team, callback_line
):
    claim = ClaimFactory(customer=customer, platform=platform, team=team)
    callbacks.callback_request(claim=claim, customer=customer, phone="+8613800138000")
    page = login_as(agent).get("/agent/callbacks/").content.decode()
    assert 'data-testid="caller-number">021-6051-8800<' in page
    assert 'data-testid="no-callback-line"' not in page and "400-612-3456" not in page


def test_the_agent_list_warns_when_the_platform_has_no_call_back_line(
    login_as, customer, platform, agent, team, official_hotline
):
    other = PlatformFactory(name="蓝鲸卡盟", slug="lanjing")
    for each in (platform, other):
        claim = ClaimFactory(customer=customer, platform=each, team=team)
        callbacks.callback_request(claim=claim, customer=customer, phone="+8613800138000")
    page = login_as(agent).get("/agent/callbacks/").content.decode()
    assert page.count('data-testid="no-callback-line"') == 2
    assert "星云卡盟未公布回电专线" in page and "蓝鲸卡盟未公布回电专线" in page
    assert "400-612-3456" not in page


def test_the_agent_list_reads_call_back_lines_in_one_query(customer, agent, team, callback_line):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    platforms = [PlatformFactory() for _ in range(3)]
    for each in platforms:
        claim = ClaimFactory(customer=customer, platform=each, team=team)
        callbacks.callback_request(claim=claim, customer=customer, phone="+8613800138000")
    rows = callback_selectors.callbacks_for_agent(agent=agent)
    with CaptureQueriesContext(connection) as queries:
        callback_selectors.with_caller_numbers(rows)
    assert len(queries) == 1
    assert {cb.caller_number for cb in rows} == {""}
