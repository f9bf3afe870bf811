"""The directory as its admins build it: channel drafts with evidence, a second staff session, and the
two-admin fixtures (``admin_a``, ``admin_b``, ``publish``) that tests outside tests/contacts import too."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from contacts import hours, services
from contacts.models import ContactChannel, Platform
from contacts.values import ChannelDraft
from helpdesk.models import User
from tests.support.auth import current_code, totp_device


def evidence() -> list[services.EvidenceInput]:
    return [
        services.EvidenceInput(method="official_site", note="官网联系我们页面", url="https://xingyunka.cn/c")
    ]


def draft(**overrides) -> ChannelDraft:
    values = {
        "kind": "claims_hotline",
        "value": "400-612-3456",
        "problem_types": ["topup-not-credited", "account-stolen"],
        "hours_mode": hours.ALWAYS,
        "expected_response_minutes": 5,
    }
    values.update(overrides)
    return ChannelDraft(**values)


def staff_client(user: User) -> Client:
    """A separate browser session for a second staff member, past TOTP like a person."""
    client = Client()
    client.force_login(user)
    response = client.post("/accounts/2fa/", {"otp_token": current_code(totp_device(user))})
    assert response.status_code == 302
    return client


@pytest.fixture
def admin_a(directory_admin) -> User:
    totp_device(directory_admin)
    return directory_admin


@pytest.fixture
def admin_b(second_directory_admin) -> User:
    totp_device(second_directory_admin)
    return second_directory_admin


@pytest.fixture
def publish(admin_a, admin_b) -> Callable[..., ContactChannel]:
    """Propose as admin A and approve as admin B, the only way a channel gets published."""

    def _publish(platform: Platform, **overrides) -> ContactChannel:
        proposal = services.channel_propose(
            actor=admin_a, platform=platform, draft=draft(**overrides), evidence=evidence()
        )
        return services.proposal_approve(actor=admin_b, proposal=proposal, fingerprint=proposal.fingerprint)

    return _publish
