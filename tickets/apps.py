from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _membership_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Cache invalidation only: an agent's team ids are cached, and access follows them.
    from tickets.access import forget_team_ids

    forget_team_ids(instance.user_id)


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Claim tickets")

    def ready(self) -> None:
        post_save.connect(_membership_changed, sender="tickets.TeamMembership", dispatch_uid="team-ids-save")
        post_delete.connect(
            _membership_changed, sender="tickets.TeamMembership", dispatch_uid="team-ids-delete"
        )
        from helpdesk.uploads import on_sanitized
        from tickets import handlers  # noqa: F401  (outbox handlers: notifications and webhooks)
        from tickets.evidence.services import evidence_sanitized

        on_sanitized(evidence_sanitized)

        from helpdesk.signals import phone_verified
        from tickets.callbacks.services import on_phone_verified

        phone_verified.connect(on_phone_verified, dispatch_uid="callbacks-phone-verified")
