"""The two-person rule holds in the database, whoever writes: direct ORM and raw UPDATEs are refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts.models import ChannelProposal, ChannelState, ContactChannel, ProposalStatus
from tests.factories import PlatformFactory


def test_a_published_value_cannot_change_without_a_new_approval(publish, platform):
    channel = publish(platform)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactChannel.objects.filter(pk=channel.pk).update(
            value="400-000-0000", canonical_value="+864000000000"
        )
    channel.refresh_from_db()
    assert channel.value == "400-612-3456"


def test_a_channel_cannot_be_published_by_one_person(publish, platform, admin_a):
    channel = publish(platform)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactChannel.objects.filter(pk=channel.pk).update(approved_by=admin_a, verified_by=admin_a)


def test_a_channel_cannot_be_inserted_as_verified(platform, admin_a, admin_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactChannel.objects.create(
            platform=platform,
            kind="claims_hotline",
            value="400-000-0000",
            canonical_value="+864000000000",
            state=ChannelState.VERIFIED,
            verified_by=admin_a,
            approved_by=admin_b,
        )


def test_a_pending_channel_cannot_be_flipped_to_verified_directly(platform, admin_a, admin_b):
    from contacts import services
    from tests.support.contacts import draft, evidence

    proposal = services.channel_propose(actor=admin_a, platform=platform, draft=draft(), evidence=evidence())
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactChannel.objects.filter(pk=proposal.channel_id).update(
            state=ChannelState.VERIFIED, verified_by=admin_a, approved_by=admin_b, approved_proposal=proposal
        )


def test_a_proposal_cannot_be_approved_by_its_proposer_in_the_database(platform, admin_a):
    from contacts import services
    from tests.support.contacts import draft, evidence

    proposal = services.channel_propose(actor=admin_a, platform=platform, draft=draft(), evidence=evidence())
    with pytest.raises(IntegrityError), transaction.atomic():
        ChannelProposal.objects.filter(pk=proposal.pk).update(
            status=ProposalStatus.APPROVED, decided_by=admin_a, approved_fingerprint=proposal.fingerprint
        )


def test_an_approved_proposal_is_frozen(publish, platform):
    channel = publish(platform)
    proposal = channel.approved_proposal
    for change in ({"values": {**proposal.values, "value": "400-000-0000"}}, {"fingerprint": "0" * 64}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ChannelProposal.objects.filter(pk=proposal.pk).update(**change)


def test_platform_checks_the_unified_social_credit_code(db):
    platform = PlatformFactory.build(unified_social_credit_code="91110108MA01KPGK0X")
    with pytest.raises(ValidationError):
        platform.clean()
    platform.unified_social_credit_code = "91110108MA01KPGK0L"
    platform.clean()
