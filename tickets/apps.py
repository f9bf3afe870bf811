from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Claim tickets")

    def ready(self) -> None:
        from helpdesk.uploads import on_sanitized
        from tickets import handlers  # noqa: F401  (outbox handlers: notifications and webhooks)
        from tickets.services import evidence_sanitized

        on_sanitized(evidence_sanitized)
