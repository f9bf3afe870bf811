"""Publishing channels: propose, approve (a second admin), reject, withdraw, suspend, retire, evidence.

Each function checks the actor, locks what it changes, writes the audit entry and the public history row
in one transaction. The two-person rule is checked here and again by the database (migration 0004).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import values as channel_values_mod
from contacts.models import (
    PUBLISHED_STATES,
    ChannelEvidence,
    ChannelProposal,
    ChannelState,
    ContactChannel,
    EvidenceMethod,
    HistoryAction,
    Platform,
    ProblemType,
    ProposalStatus,
    ServiceWindow,
)
from contacts.services._common import (
    directory_audit,
    history_add,
    rejection_reason,
    require_directory_admin,
    require_pending,
    require_proposer,
    require_reviewed,
    require_second_admin,
)
from helpdesk.models import Role, User
from helpdesk.notifications import notify

_STATE_FIELDS = ["state", "state_reason", "state_changed_at", "replacement", "review_due_at"]


@dataclass(frozen=True)
class EvidenceInput:
    method: str
    note: str
    url: str = ""
    upload: Any = None  # a django UploadedFile, cleaned through helpdesk.uploads


def _lock_channel(channel_id: int) -> ContactChannel:
    return ContactChannel.objects.select_for_update().select_related("platform").get(pk=channel_id)


def _state_snapshot(channel: ContactChannel) -> dict[str, Any]:
    return {
        "state": channel.state,
        "state_reason": channel.state_reason,
        "replacement": channel.replacement_id,
        "review_due_at": channel.review_due_at,
    }


@transaction.atomic
def channel_propose(
    *,
    actor: User,
    platform: Platform,
    draft: channel_values_mod.ChannelDraft,
    channel: ContactChannel | None = None,
    note: str = "",
    evidence: Sequence[EvidenceInput] = (),
) -> ChannelProposal:
    """Propose a new channel (``channel`` None) or new values for an existing one.

    A new channel waits in "pending approval"; a published channel keeps its old values until a second
    admin approves. One pending proposal per channel at a time.
    """
    require_directory_admin(actor)
    values = channel_values_mod.draft_values(draft)
    if channel is None:
        duplicate = ContactChannel.objects.filter(
            platform=platform, canonical_value=values["canonical_value"], kind=values["kind"]
        ).exclude(state=ChannelState.RETIRED)
        if duplicate.exists():
            raise ValidationError({"value": [_("This platform already lists this channel.")]})
        channel = ContactChannel.objects.create(
            platform=platform,
            kind=values["kind"],
            value=values["value"],
            canonical_value=values["canonical_value"],
            state=ChannelState.PENDING,
            state_changed_at=timezone.now(),
        )
        directory_audit(actor=actor, action="channel.create", obj=channel, after={"state": channel.state})
    else:
        channel = _lock_channel(channel.pk)
        if channel.platform_id != platform.pk:
            raise ValidationError(_("This channel belongs to another platform."))
        if channel.state == ChannelState.RETIRED:
            raise ValidationError(_("A retired channel cannot be changed; propose a new channel instead."))
        if channel.proposals.filter(status=ProposalStatus.PENDING).exists():
            raise ValidationError(_("This channel already has a change waiting for approval."))
        if channel.state in (ChannelState.DRAFT,):
            channel.state = ChannelState.PENDING
            channel.state_changed_at = timezone.now()
            channel.save(update_fields=["state", "state_changed_at", "updated_at"])
    proposal = ChannelProposal.objects.create(
        platform=platform,
        channel=channel,
        values=values,
        fingerprint=channel_values_mod.fingerprint(values),
        proposed_by=actor,
        note=note.strip(),
    )
    for item in evidence:
        _evidence_create(actor=actor, channel=channel, proposal=proposal, item=item)
    directory_audit(actor=actor, action="channel.propose", obj=proposal, after=values, reason=note)
    _tell_other_admins(actor=actor, platform=platform, proposal=proposal)
    return proposal


PROPOSAL_PENDING_EVENT = "directory.proposal_pending"  # template: contacts migration 0009


def _tell_other_admins(*, actor: User, platform: Platform, proposal: ChannelProposal) -> None:
    """The two-person rule needs a second admin: every other active directory admin is told one waits."""
    others = User.objects.filter(role=Role.DIRECTORY_ADMIN, is_active=True).exclude(pk=actor.pk)
    notify(
        user_ids=others.values_list("pk", flat=True),
        event=PROPOSAL_PENDING_EVENT,
        context={"platform": platform.name, "proposal_id": proposal.pk, "proposer": actor.public_name},
        url=f"/directory/proposals/{proposal.pk}/",
        dedupe_key=f"proposal:{proposal.pk}",
    )


@transaction.atomic
def proposal_approve(*, actor: User, proposal: ChannelProposal, fingerprint: str) -> ContactChannel:
    """A second directory admin approves exactly the values they reviewed (``fingerprint``)."""
    require_directory_admin(actor)
    proposal = ChannelProposal.objects.select_for_update().get(pk=proposal.pk)
    channel = _lock_channel(proposal.channel_id)
    require_pending(proposal)
    require_second_admin(proposal, actor)
    require_reviewed(proposal, fingerprint, recomputed=channel_values_mod.fingerprint(proposal.values))
    if not proposal.evidence.exists() and not channel.evidence.exists():
        raise ValidationError(_("Add evidence that this channel is the platform's before approving it."))
    now = timezone.now()
    proposal.status = ProposalStatus.APPROVED
    proposal.decided_by = actor
    proposal.decided_at = now
    proposal.approved_fingerprint = proposal.fingerprint
    proposal.save(update_fields=["status", "decided_by", "decided_at", "approved_fingerprint"])

    was_published = channel.is_published
    before = channel_values_mod.channel_values(channel)
    _apply_values(channel, proposal.values)
    channel.state = ChannelState.VERIFIED
    channel.state_reason = ""
    channel.state_changed_at = now
    channel.approved_proposal = proposal
    channel.verified_by_id = proposal.proposed_by_id
    channel.approved_by = actor
    channel.verified_at = now
    channel.review_due_at = now + settings.CONTACT_REVIEW_INTERVAL
    channel.save()
    if not was_published:
        action = HistoryAction.PUBLISHED
    elif before["value"] != proposal.values["value"] or before["kind"] != proposal.values["kind"]:
        action = HistoryAction.CHANGED
    else:
        action = HistoryAction.REVIEWED
    history_add(
        channel=channel,
        action=action,
        old_value=before["value"] if action == HistoryAction.CHANGED else "",
        new_value=channel.value,
    )
    directory_audit(
        actor=actor,
        action="channel.approve",
        obj=channel,
        before=before if was_published else None,
        after={**proposal.values, "proposal": proposal.pk, "state": channel.state},
    )
    return channel


def _apply_values(channel: ContactChannel, values: dict[str, Any]) -> None:
    channel.kind = values["kind"]
    channel.value = values["value"]
    channel.canonical_value = values["canonical_value"]
    channel.label = values["label"]
    channel.languages = values["languages"]
    channel.expected_response_time = channel_values_mod.response_time(values)
    channel.inbound_only = values["inbound_only"]
    channel.offers_callback = values["offers_callback"]
    channel.notes = values["notes"]
    channel.hours_mode = values["hours_mode"]
    channel.holiday_rule = values["holiday_rule"]
    channel.valid_from = datetime.fromisoformat(values["valid_from"]).date() if values["valid_from"] else None
    channel.valid_until = (
        datetime.fromisoformat(values["valid_until"]).date() if values["valid_until"] else None
    )
    channel.windows.all().delete()
    ServiceWindow.objects.bulk_create(
        ServiceWindow(channel=channel, weekday=w.weekday, start=w.start, end=w.end)
        for w in channel_values_mod.windows_from_values(values)
    )
    channel.problem_types.set(ProblemType.objects.filter(slug__in=values["problem_types"]))


@transaction.atomic
def proposal_reject(*, actor: User, proposal: ChannelProposal, reason: str) -> ChannelProposal:
    require_directory_admin(actor)
    reason = rejection_reason(reason)
    proposal = ChannelProposal.objects.select_for_update().get(pk=proposal.pk)
    channel = _lock_channel(proposal.channel_id)
    require_pending(proposal)
    proposal.status = ProposalStatus.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.reason = reason
    proposal.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    if channel.state == ChannelState.PENDING:
        channel.state = ChannelState.DRAFT
        channel.state_changed_at = proposal.decided_at
        channel.save(update_fields=["state", "state_changed_at", "updated_at"])
    directory_audit(actor=actor, action="channel.reject", obj=proposal, reason=proposal.reason)
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor: User, proposal: ChannelProposal) -> ChannelProposal:
    require_directory_admin(actor)
    proposal = ChannelProposal.objects.select_for_update().get(pk=proposal.pk)
    require_proposer(proposal, actor)
    require_pending(proposal)
    channel = _lock_channel(proposal.channel_id)
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    if channel.state == ChannelState.PENDING:
        channel.state = ChannelState.DRAFT
        channel.save(update_fields=["state", "updated_at"])
    directory_audit(actor=actor, action="channel.withdraw", obj=proposal)
    return proposal


@transaction.atomic
def channel_suspend(*, actor: User, channel: ContactChannel, reason: str) -> ContactChannel:
    """Take a channel off the public directory at once (one admin is enough to stop harm)."""
    require_directory_admin(actor)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the channel is suspended.")]})
    channel = _lock_channel(channel.pk)
    if channel.state not in PUBLISHED_STATES:
        raise ValidationError(_("Only a published channel can be suspended."))
    before = _state_snapshot(channel)
    channel.state = ChannelState.SUSPENDED
    channel.state_reason = reason.strip()
    channel.state_changed_at = timezone.now()
    channel.save(update_fields=["state", "state_reason", "state_changed_at", "updated_at"])
    history_add(channel=channel, action=HistoryAction.SUSPENDED, old_value=channel.value)
    directory_audit(
        actor=actor,
        action="channel.suspend",
        obj=channel,
        before=before,
        after=_state_snapshot(channel),
        reason=channel.state_reason,
    )
    return channel


@transaction.atomic
def channel_retire(
    *, actor: User, channel: ContactChannel, reason: str = "", replacement: ContactChannel | None = None
) -> ContactChannel:
    """Mark a channel no longer in use, pointing users to a published replacement. Never deleted:
    numbers get reassigned, and users must learn the old one is not the platform's any more."""
    require_directory_admin(actor)
    channel = _lock_channel(channel.pk)
    if channel.state == ChannelState.RETIRED:
        raise ValidationError(_("This channel is already retired."))
    if replacement is not None:
        if replacement.pk == channel.pk or replacement.platform_id != channel.platform_id:
            raise ValidationError({"replacement": [_("Choose another channel of the same platform.")]})
        if replacement.state not in PUBLISHED_STATES:
            raise ValidationError({"replacement": [_("The replacement must be a published channel.")]})
    before = _state_snapshot(channel)
    ChannelProposal.objects.filter(channel=channel, status=ProposalStatus.PENDING).update(
        status=ProposalStatus.WITHDRAWN, decided_at=timezone.now(), reason=_("The channel was retired.")
    )
    channel.state = ChannelState.RETIRED
    channel.state_reason = reason.strip()
    channel.replacement = replacement
    channel.state_changed_at = timezone.now()
    channel.review_due_at = None
    channel.save(update_fields=[*_STATE_FIELDS, "updated_at"])
    history_add(
        channel=channel,
        action=HistoryAction.RETIRED,
        old_value=channel.value,
        replacement_value=replacement.value if replacement else "",
    )
    directory_audit(
        actor=actor,
        action="channel.retire",
        obj=channel,
        before=before,
        after=_state_snapshot(channel),
        reason=channel.state_reason,
    )
    return channel


def _evidence_create(
    *, actor: User, channel: ContactChannel, proposal: ChannelProposal | None, item: EvidenceInput
) -> ChannelEvidence:
    if item.method not in EvidenceMethod.values:
        raise ValidationError({"method": [_("Choose how the channel was verified.")]})
    if not item.note.strip():
        raise ValidationError({"note": [_("Describe the evidence.")]})
    evidence = ChannelEvidence(
        channel=channel,
        proposal=proposal,
        method=item.method,
        note=item.note.strip(),
        url=item.url.strip(),
        captured_by=actor,
    )
    if item.upload is not None:
        from helpdesk import uploads

        try:
            clean = uploads.clean_upload(item.upload, allowed=uploads.EVIDENCE_TYPES)
        except uploads.UploadRejected as exc:
            raise ValidationError({"file": exc.messages}) from None
        evidence.file = uploads.store_private(clean, folder="directory-evidence")
        evidence.file_name = clean.original_name[:200]
        evidence.content_type = clean.content_type
        evidence.sha256 = clean.sha256
        evidence.size = clean.size
    evidence.full_clean(exclude=["channel", "proposal", "captured_by", "file"])
    evidence.save()
    directory_audit(
        actor=actor,
        action="channel.evidence_add",
        obj=channel,
        after={"evidence": evidence.pk, "method": evidence.method, "sha256": evidence.sha256},
    )
    return evidence


@transaction.atomic
def evidence_add(
    *, actor: User, channel: ContactChannel, item: EvidenceInput, proposal: ChannelProposal | None = None
) -> ChannelEvidence:
    require_directory_admin(actor)
    channel = _lock_channel(channel.pk)
    if proposal is not None and proposal.channel_id != channel.pk:
        raise ValidationError(_("This proposal is for another channel."))
    return _evidence_create(actor=actor, channel=channel, proposal=proposal, item=item)
