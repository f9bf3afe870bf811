"""Outbox handlers of the directory (registered in ContactsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import translation
from django.utils.translation import gettext as _

from contacts.models import ContactChannel
from helpdesk.models import Role, User


def alert_review_overdue(message_id: int, payload: dict[str, Any]) -> None:
    """Email every active directory admin the channels whose review is overdue.

    Idempotent enough: a retry after a crash may send the same list twice, never lose it.
    """
    channels = list(
        ContactChannel.objects.filter(pk__in=payload.get("channel_ids", [])).select_related("platform")
    )
    admins = list(
        User.objects.filter(role=Role.DIRECTORY_ADMIN, is_active=True).values_list("email", flat=True)
    )
    if not channels or not admins:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(count)d directory channels need their review") % {"count": len(channels)}
        lines = [f"- {c.platform.name}: {c.get_kind_display()} {c.value}" for c in channels]
        body = "\n".join(
            [_("These channels are past their review date and shown to users as “review overdue”:"), *lines]
        )
    send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in admins])
