from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Official contacts directory")

    def ready(self) -> None:
        from contacts.notifications import alert_review_overdue
        from contacts.services.review import REVIEW_OVERDUE_EVENT
        from helpdesk.outbox import outbox_handler

        outbox_handler(REVIEW_OVERDUE_EVENT)(alert_review_overdue)
