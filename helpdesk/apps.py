from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("ClaimDesk core")

    def ready(self) -> None:
        # schema extensions, login/logout auditing, outbox handlers for notifications, account e-mails and
        # quarantined uploads (each module registers its own handlers: the outbox imports none of them)
        from django.core import checks

        from helpdesk import account_mail, notifications, receivers, schema, uploads  # noqa: F401
        from helpdesk.outbox import check_handlers

        # Every outbox event the code may write has a handler (or is declared recorded-only).
        checks.register(check_handlers, "outbox")
