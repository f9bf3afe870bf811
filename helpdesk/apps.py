from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("ClaimDesk core")

    def ready(self) -> None:
        # schema extensions, login/logout auditing, outbox handlers for notifications and account e-mails
        from helpdesk import account_mail, notifications, schema, signals  # noqa: F401
