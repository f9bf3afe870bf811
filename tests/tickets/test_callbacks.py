"""Call-backs: asked for by the customer or created for them, with the official number and a code."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from helpdesk.models import Notification
from helpdesk.outbox import relay
from tests.conftest import totp_device
from tests.contacts.conftest import draft, evidence
from tests.factories import ClaimFactory, StaffFactory, TeamFactory, join_team
from tickets import callbacks
from tickets.models import Callback, CallbackStatus, ClaimEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def official_hotline(platform, directory_admin, second_directory_admin):
    """Published the only way there is: proposed by one directory admin, approved by another."""
    from contacts import services as directory

    totp_device(directory_admin)
    totp_device(second_directory_admin)
    proposal = directory.channel_propose(
        actor=directory_admin, platform=platform, draft=draft(), evidence=evidence()
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


def deliver() -> None:
    while relay():
        pass


def test_the_customer_asks_for_a_call_back_and_sees_the_number_and_code(
    login_as, customer, platform, official_hotline
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
    assert "400-612-3456" in page and callback.code in page
    assert "不是我们" in page  # "a call from any other number or without the code is not us"
    # Asking again changes nothing.
    client.post(f"/claims/{claim.reference}/callback/", {"phone": "13800138000"})
    assert Callback.objects.filter(claim=claim).count() == 1
    deliver()
    note = Notification.objects.get(user=customer, event="callback.scheduled")
    assert callback.code in note.body and "400-612-3456" in note.body


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
