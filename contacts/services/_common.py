"""What every directory write shares: who may do it, the review of proposals (channels; domains and
websites) by a second admin, and the public change-history row."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from contacts import versioning
from contacts.models import ChannelHistory, ContactChannel, HistoryAction, ProposalStatus
from helpdesk import context
from helpdesk.audit import audit_record
from helpdesk.auth import confirmed_totp_device, needs_second_factor
from helpdesk.models import AuditEntry, User


class TwoPersonRuleError(PermissionDenied):
    """The proposer of a change tried to approve it."""


def require_directory_admin(actor: User | None) -> User:
    """Only active directory admins with a second factor publish; shell commands are trusted operators.

    Sessions and API tokens already had to pass TOTP (helpdesk.middleware / helpdesk.api); this also
    refuses an admin account that never enrolled, whatever path it came through.
    """
    if actor is None or not actor.is_active or not actor.is_directory_admin:
        raise PermissionDenied(_("Only directory admins can change the directory."))
    if (
        needs_second_factor(actor)
        and not context.current().source.startswith("command:")
        and confirmed_totp_device(actor) is None
    ):
        raise PermissionDenied(_("Set up two-factor authentication before changing the directory."))
    return actor


# The review of a proposal, the same for every kind (ChannelProposal, DomainProposal): each check raises the
# error the admin sees; the services call them in their own order (their locks differ).
def require_pending(proposal: Any) -> None:
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError(_("This proposal has already been decided."))


def require_second_admin(proposal: Any, actor: User) -> None:
    """The two-person rule: whoever proposed a change cannot approve it (the database checks it too)."""
    if proposal.proposed_by_id == actor.pk:
        raise TwoPersonRuleError(_("You proposed this change; a second directory admin must approve it."))


def require_reviewed(proposal: Any, fingerprint: str, *, recomputed: str | None = None) -> None:
    """The approver approves exactly what they reviewed: the fingerprint shown with the proposal (and, where
    the proposal stores its values, the fingerprint ``recomputed`` from them)."""
    if fingerprint != proposal.fingerprint or (recomputed is not None and recomputed != fingerprint):
        raise ValidationError(
            _("The proposed values changed after you reviewed them. Review the proposal again.")
        )


def rejection_reason(reason: str) -> str:
    """A rejection says why (the proposer reads it)."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you reject it; the proposer will read this.")]})
    return reason.strip()


def require_proposer(proposal: Any, actor: User) -> None:
    if proposal.proposed_by_id != actor.pk:
        raise PermissionDenied(_("Only the proposer can withdraw a proposal."))


def history_add(
    *,
    channel: ContactChannel,
    action: HistoryAction,
    old_value: str = "",
    new_value: str = "",
    replacement_value: str = "",
) -> ChannelHistory:
    return ChannelHistory.objects.create(
        platform_id=channel.platform_id,
        channel=channel,
        action=action,
        kind=channel.kind,
        old_value=old_value,
        new_value=new_value,
        replacement_value=replacement_value,
    )


def directory_audit(**entry: Any) -> AuditEntry:
    """The audit row of a directory write, and the directory version bumped in the same transaction:
    every write path audits, so no change a public page or the checker shows can leave a cached answer
    behind (contacts.versioning)."""
    versioning.bump()
    return audit_record(**entry)
