from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insight and privacy")

    def ready(self) -> None:
        from helpdesk.retention import register_pruner
        from insights import handlers  # noqa: F401  (outbox: low-rating alerts, export/deletion events)
        from insights.privacy import retention_sweep

        # Closed claims' personal data and old scam-report screenshots go with the hourly helpdesk.prune.
        register_pruner("personal_data_retention", retention_sweep)
