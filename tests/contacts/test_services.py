from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contacts import services
from contacts.models import ChannelHistory, ChannelState, ContactChannel, HistoryAction, ProposalStatus
from helpdesk.models import AuditEntry, OutboxMessage
from tests.support.contacts import draft, evidence


def propose(actor, platform, channel=None, **overrides):
    return services.channel_propose(
        actor=actor, platform=platform, channel=channel, draft=draft(**overrides), evidence=evidence()
    )


def test_a_new_channel_waits_for_a_second_admin(platform, admin_a, admin_b):
    proposal = propose(admin_a, platform)
    assert proposal.channel.state == ChannelState.PENDING
    channel = services.proposal_approve(actor=admin_b, proposal=proposal, fingerprint=proposal.fingerprint)
    assert channel.state == ChannelState.VERIFIED
    assert (channel.verified_by, channel.approved_by) == (admin_a, admin_b)
    assert channel.canonical_value == "+864006123456"
    assert channel.review_due_at > timezone.now() + timedelta(days=100)
    assert {pt.slug for pt in channel.problem_types.all()} == {"topup-not-credited", "account-stolen"}
    assert ChannelHistory.objects.get(channel=channel).action == HistoryAction.PUBLISHED
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "channel.create",
        "channel.propose",
        "channel.evidence_add",
        "channel.approve",
    }


def test_the_proposer_cannot_approve_their_own_change(platform, admin_a):
    proposal = propose(admin_a, platform)
    with pytest.raises(services.TwoPersonRuleError):
        services.proposal_approve(actor=admin_a, proposal=proposal, fingerprint=proposal.fingerprint)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_approval_is_bound_to_the_reviewed_values(platform, admin_a, admin_b):
    proposal = propose(admin_a, platform)
    reviewed = proposal.fingerprint
    # Someone alters the pending proposal after the approver looked at it.
    proposal.values = {**proposal.values, "value": "400-666-6666", "canonical_value": "+864006666666"}
    proposal.save(update_fields=["values"])
    with pytest.raises(ValidationError):
        services.proposal_approve(actor=admin_b, proposal=proposal, fingerprint=reviewed)
    with pytest.raises(ValidationError):
        services.proposal_approve(actor=admin_b, proposal=proposal, fingerprint="0" * 64)


def test_a_change_keeps_the_old_value_published_until_approved(publish, platform, admin_a, admin_b):
    channel = publish(platform)
    proposal = propose(admin_a, platform, channel=channel, value="400-612-3999")
    channel.refresh_from_db()
    assert (channel.value, channel.state) == ("400-612-3456", ChannelState.VERIFIED)
    with pytest.raises(ValidationError):
        propose(admin_a, platform, channel=channel, value="400-612-3998")  # one pending change at a time
    services.proposal_approve(actor=admin_b, proposal=proposal, fingerprint=proposal.fingerprint)
    channel.refresh_from_db()
    assert channel.value == "400-612-3999"
    entry = ChannelHistory.objects.filter(channel=channel).first()
    assert (entry.action, entry.old_value, entry.new_value) == ("changed", "400-612-3456", "400-612-3999")


def test_reject_needs_a_reason_and_returns_a_new_channel_to_draft(platform, admin_a, admin_b):
    proposal = propose(admin_a, platform)
    with pytest.raises(ValidationError):
        services.proposal_reject(actor=admin_b, proposal=proposal, reason=" ")
    services.proposal_reject(actor=admin_b, proposal=proposal, reason="号码与官网不符")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    assert proposal.channel.state == ChannelState.DRAFT
    with pytest.raises(ValidationError):
        services.proposal_approve(actor=admin_b, proposal=proposal, fingerprint=proposal.fingerprint)


def test_approval_needs_evidence(platform, admin_a, admin_b):
    proposal = services.channel_propose(actor=admin_a, platform=platform, draft=draft())
    with pytest.raises(ValidationError):
        services.proposal_approve(actor=admin_b, proposal=proposal, fingerprint=proposal.fingerprint)
    services.evidence_add(actor=admin_a, channel=proposal.channel, item=evidence()[0], proposal=proposal)
    services.proposal_approve(actor=admin_b, proposal=proposal, fingerprint=proposal.fingerprint)


def test_one_admin_can_suspend_at_once(publish, platform, admin_a):
    channel = publish(platform)
    services.channel_suspend(actor=admin_a, channel=channel, reason="号码疑似被冒用")
    channel.refresh_from_db()
    assert channel.state == ChannelState.SUSPENDED
    assert AuditEntry.objects.filter(action="channel.suspend", object_id=str(channel.pk)).exists()
    with pytest.raises(ValidationError):
        services.channel_suspend(actor=admin_a, channel=channel, reason="again")


def test_reinstating_a_suspended_channel_needs_two_people(publish, platform, admin_a, admin_b):
    channel = publish(platform)
    services.channel_suspend(actor=admin_a, channel=channel, reason="check")
    proposal = propose(admin_a, platform, channel=channel)
    with pytest.raises(services.TwoPersonRuleError):
        services.proposal_approve(actor=admin_a, proposal=proposal, fingerprint=proposal.fingerprint)
    services.proposal_approve(actor=admin_b, proposal=proposal, fingerprint=proposal.fingerprint)
    channel.refresh_from_db()
    assert channel.state == ChannelState.VERIFIED


def test_retire_points_to_a_published_replacement_and_keeps_the_row(publish, platform, admin_a):
    old = publish(platform, value="400-612-3400")
    new = publish(platform, value="400-612-3456")
    pending = propose(admin_a, platform, value="400-612-3111").channel
    with pytest.raises(ValidationError):
        services.channel_retire(actor=admin_a, channel=old, replacement=pending)
    services.channel_retire(actor=admin_a, channel=old, reason="换号", replacement=new)
    old.refresh_from_db()
    assert (old.state, old.replacement) == (ChannelState.RETIRED, new)
    entry = ChannelHistory.objects.filter(channel=old).first()
    assert (entry.action, entry.replacement_value) == ("retired", "400-612-3456")
    with pytest.raises(ValidationError):
        propose(admin_a, platform, channel=old)


def test_duplicates_are_refused(publish, platform, admin_a):
    publish(platform)
    with pytest.raises(ValidationError):
        propose(admin_a, platform, value="4006123456")


def test_bad_values_come_back_as_field_errors(platform, admin_a):
    with pytest.raises(ValidationError) as exc:
        propose(admin_a, platform, value="not a number", hours_mode="weekly", windows=[])
    assert set(exc.value.message_dict) == {"value", "windows"}


@pytest.mark.parametrize("role", ["customer", "agent", "supervisor"])
def test_only_directory_admins_publish(role, request, platform):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.channel_propose(actor=user, platform=platform, draft=draft(), evidence=evidence())


def test_a_directory_admin_without_a_second_factor_is_refused(directory_admin, platform):
    with pytest.raises(PermissionDenied):
        services.channel_propose(actor=directory_admin, platform=platform, draft=draft(), evidence=evidence())


def test_an_inactive_directory_admin_is_refused(admin_a, platform):
    admin_a.is_active = False
    admin_a.save()
    with pytest.raises(PermissionDenied):
        services.channel_propose(actor=admin_a, platform=platform, draft=draft(), evidence=evidence())


def test_the_review_sweep_is_set_based_idempotent_and_alerts_admins(
    publish, platform, admin_a, admin_b, django_capture_on_commit_callbacks
):
    due = publish(platform, value="400-612-3456")
    not_due = publish(platform, value="400-612-3457")
    ContactChannel.objects.filter(pk=due.pk).update(review_due_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_review_overdue() == 1
        assert services.sweep_review_overdue() == 0
    due.refresh_from_db()
    not_due.refresh_from_db()
    assert (due.state, not_due.state) == (ChannelState.REVIEW_OVERDUE, ChannelState.VERIFIED)
    assert ChannelHistory.objects.filter(channel=due, action="review_overdue").count() == 1
    assert AuditEntry.objects.filter(action="channel.review_overdue").count() == 1
    # (Proposing also told the other admin that a proposal waits: directory.proposal_pending.)
    message = OutboxMessage.objects.get(event="notification.send", payload__event="directory.review_overdue")
    assert message.payload["context"] == {"count": 1, "channel_ids": [due.pk]}
    assert message.payload["user_ids"] == sorted([admin_a.pk, admin_b.pk])

    from helpdesk.models import Notification
    from helpdesk.outbox import relay

    relay()
    relay()  # the fan-out writes the email rows; the next run sends them
    overdue_mail = [m for m in mail.outbox if "待复核" in m.subject]
    assert sorted(m.to[0] for m in overdue_mail) == sorted([admin_a.email, admin_b.email])
    assert "1 个联系渠道待复核" in overdue_mail[0].subject
    assert Notification.objects.filter(user=admin_a, event="directory.review_overdue").count() == 1


def test_review_overdue_channels_are_re_verified_by_two_people(publish, platform, admin_a, admin_b):
    channel = publish(platform)
    ContactChannel.objects.filter(pk=channel.pk).update(review_due_at=timezone.now() - timedelta(days=1))
    services.sweep_review_overdue()
    proposal = propose(admin_a, platform, channel=channel)
    services.proposal_approve(actor=admin_b, proposal=proposal, fingerprint=proposal.fingerprint)
    channel.refresh_from_db()
    assert channel.state == ChannelState.VERIFIED
    assert ChannelHistory.objects.filter(channel=channel).first().action == HistoryAction.REVIEWED


def test_the_sweep_task_runs_the_service(publish, platform):
    from contacts.tasks import sweep_review_overdue

    channel = publish(platform)
    ContactChannel.objects.filter(pk=channel.pk).update(review_due_at=timezone.now() - timedelta(days=1))
    assert sweep_review_overdue.apply().get() == 1
    assert AuditEntry.objects.get(action="channel.review_overdue").source.startswith("task:")


def test_platforms_and_domains(admin_a, admin_b):
    platform = services.platform_save(actor=admin_a, name="星云卡盟", slug="xingyun", aliases=["Xingyun"])
    assert "xingyun" in platform.search_text and "xykm" in platform.search_text
    proposal = services.domain_propose(actor=admin_a, platform=platform, domain="KF.星云卡.CN")
    services.domain_proposal_approve(actor=admin_b, proposal=proposal, fingerprint=proposal.fingerprint)
    domain = platform.domains.get()
    assert (domain.domain, domain.registrable_domain) == ("kf.xn--9kq20jh5t.cn", "xn--9kq20jh5t.cn")
    other = services.platform_save(actor=admin_a, name="蓝鲸卡盟", slug="lanjing")
    with pytest.raises(ValidationError):
        services.domain_propose(actor=admin_a, platform=other, domain="kf.星云卡.cn")
    with pytest.raises(ValidationError):
        services.platform_save(actor=admin_a, name="坏", slug="bad", unified_social_credit_code="123")
