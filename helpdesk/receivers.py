"""The core's own signal receivers (connected by ``HelpdeskConfig.ready``): login/logout auditing, the
language chosen before signing in, and the holiday calendar's cache."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from helpdesk import calendar
from helpdesk.audit import audit_record
from helpdesk.models import CalendarDay, User
from helpdesk.services import user_language_set


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit_record(actor=user, action="user.login", obj=user)
    chosen = getattr(request, "COOKIES", {}).get(settings.LANGUAGE_COOKIE_NAME) if request else None
    if chosen:
        # The language picked before signing in is the one their notifications should speak.
        user_language_set(user=user, language=chosen)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="user.logout", obj=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The attempted username is kept (it is what an investigator needs); the password never is.
    audit_record(
        actor=None,
        action="user.login_failed",
        object_type="helpdesk.user",
        object_id="-",
        object_repr=str(credentials.get("username", ""))[:200],
    )


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
def _calendar_changed(sender: Any, **kwargs: Any) -> None:
    # A cache, not domain flow: this process sees the correction at once, others within a minute.
    calendar.reset()
