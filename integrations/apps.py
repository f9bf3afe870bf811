from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Platform integration")

    def ready(self) -> None:
        from integrations import handlers  # noqa: F401  (outbox handlers)
        from integrations.selectors import triage_extras_for
        from tickets.triage.selectors import register_triage_extras

        register_triage_extras(triage_extras_for)

        from helpdesk.retention import register_pruner
        from integrations.services import platform_events_prune

        # Matched events past PLATFORM_EVENT_RETENTION go with the hourly helpdesk.prune.
        register_pruner("platform_events", platform_events_prune)
