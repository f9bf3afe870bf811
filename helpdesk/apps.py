from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("ClaimDesk core")

    def ready(self) -> None:
        from helpdesk import schema, signals  # noqa: F401  (schema extensions, login/logout auditing)
