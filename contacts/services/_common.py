"""What every directory write shares: who may do it, and the public change-history row."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from contacts import versioning
from contacts.models import ChannelHistory, ContactChannel, HistoryAction
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
