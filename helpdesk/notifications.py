"""Notifications: the bell in the app, email and SMS, from templates that are data.

``notify(...)`` is called by a service inside its transaction and only writes an outbox row. After commit
the relay renders each person's notification in their language and channels:
- the in-app entry is written straight away (idempotent: unique per person and dedupe key);
- email and SMS each become their own outbox row, so one failing gateway is retried without resending
  the others, and nothing is ever sent inside a web request.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone, translation

from helpdesk import sms
from helpdesk.audit import audit_record
from helpdesk.models import (
    Notification,
    NotificationChannel,
    NotificationPreference,
    NotificationTemplate,
    User,
)
from helpdesk.outbox import declare_events, outbox_handler, outbox_write

logger = logging.getLogger(__name__)

declare_events(
    "notification.send", "notification.send_many", "notification.email", "notification.sms", module=__name__
)

# Templates are edited by people: no loaders (no {% include %} of files), plain values in the context.
# {% translate status_label %} works: rendering runs in the recipient's language.
_engine = Engine(
    loaders=[("django.template.loaders.locmem.Loader", {})],
    libraries={"i18n": "django.templatetags.i18n"},
    debug=False,
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    body_html: str = ""


def notify(
    *,
    user_ids: Iterable[int],
    event: str,
    context: Mapping[str, Any],
    url: str = "",
    dedupe_key: str | None = None,
) -> None:
    """Promise, in the caller's transaction, to tell these people about ``event``.

    ``context`` holds plain JSON values (reference, platform name, due time as ISO text …); ``url`` is a
    path on this site. With a ``dedupe_key`` the same notification is never sent twice.
    """
    ids = sorted({int(pk) for pk in user_ids})
    if not ids:
        return
    outbox_write(
        event="notification.send",
        payload={"user_ids": ids, "event": event, "context": dict(context), "url": url, "key": dedupe_key},
        dedupe_key=f"notify:{event}:{dedupe_key}" if dedupe_key else None,
    )


@dataclass(frozen=True)
class NotifyItem:
    user_ids: list[int]
    event: str
    context: dict[str, Any]
    url: str = ""
    dedupe_key: str | None = None


def notify_many(items: list[NotifyItem], *, chunk: int = 500) -> int:
    """``notify`` for many at once (a sweep's alerts), in the caller's transaction.

    One outbox row carries up to ``chunk`` notifications: inserting a row per alert was most of a sweep's
    cost. Each notification still lands once per person (its dedupe key), and the caller's own unique
    record (e.g. an SLA crossing) guarantees it is written only once.
    """
    wanted = [item for item in items if item.user_ids]
    for start in range(0, len(wanted), chunk):
        outbox_write(
            event="notification.send_many",
            payload={
                "items": [
                    {
                        "user_ids": sorted(set(item.user_ids)),
                        "event": item.event,
                        "context": item.context,
                        "url": item.url,
                        "key": item.dedupe_key,
                    }
                    for item in wanted[start : start + chunk]
                ]
            },
        )
    return len(wanted)


def render_string(source: str, context: Mapping[str, Any], *, html: bool = False) -> str:
    try:
        return _engine.from_string(source).render(Context(dict(context), autoescape=html)).strip()
    except (TemplateSyntaxError, TemplateDoesNotExist):
        # A broken edit must not stop the notification: send the text with its tags stripped.
        logger.warning("notification template does not render; sending it without tags")
        return re.sub(r"{[%{#].*?[%}#]}", "", source).strip()


def _pick(
    templates: Mapping[tuple[str, str], NotificationTemplate], channel: str, language: str
) -> NotificationTemplate | None:
    for lang in (language, settings.LANGUAGE_CODE, "en"):
        found = templates.get((channel, lang))
        if found:
            return found
    return None


def render(
    templates: Mapping[tuple[str, str], NotificationTemplate],
    *,
    event: str,
    channel: str,
    language: str,
    context: Mapping[str, Any],
) -> Rendered:
    template = _pick(templates, channel, language)
    if template is None and channel == NotificationChannel.IN_APP:
        template = _pick(templates, NotificationChannel.EMAIL, language)
    if template is None:
        return Rendered(subject=event, body="")
    return Rendered(
        subject=render_string(template.subject, context),
        body=render_string(template.body, context),
        body_html=render_string(template.body_html, context, html=True) if template.body_html else "",
    )


def _templates_for(event: str) -> dict[tuple[str, str], NotificationTemplate]:
    return {(t.channel, t.language): t for t in NotificationTemplate.objects.filter(event=event)}


@outbox_handler("notification.send_many")
def _fan_out_many(message_id: int, payload: dict[str, Any]) -> None:
    for index, item in enumerate(payload.get("items") or ()):
        _fan_out(message_id, {**item, "key": item.get("key") or f"outbox:{message_id}:{index}"})


@outbox_handler("notification.send")
def _fan_out(message_id: int, payload: dict[str, Any]) -> None:
    event: str = payload["event"]
    context: dict[str, Any] = payload.get("context") or {}
    url: str = payload.get("url") or ""
    key = payload.get("key") or f"outbox:{message_id}"
    templates = _templates_for(event)
    users = User.objects.filter(pk__in=payload["user_ids"], is_active=True).select_related(
        "notification_preference"
    )
    entries = []
    for user in users:
        language = user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            entries.append(_render_for(user, templates, event, context, url, key, language))
    Notification.objects.bulk_create(entries, ignore_conflicts=True)


def _render_for(
    user: User,
    templates: Mapping[tuple[str, str], NotificationTemplate],
    event: str,
    context: Mapping[str, Any],
    url: str,
    key: str,
    language: str,
) -> Notification:
    with_url = {**context, "url": settings.SITE_URL + url if url else settings.SITE_URL}
    in_app = render(
        templates, event=event, channel=NotificationChannel.IN_APP, language=language, context=with_url
    )
    entry = Notification(
        user=user, event=event, title=in_app.subject[:200], body=in_app.body, url=url, dedupe_key=key
    )
    preference = getattr(user, "notification_preference", None)
    wants_email = preference.email if preference else True
    wants_sms = preference.sms if preference else False
    if wants_email and user.email:
        email = render(
            templates, event=event, channel=NotificationChannel.EMAIL, language=language, context=with_url
        )
        outbox_write(
            event="notification.email",
            payload={
                "user_id": user.pk,
                "subject": email.subject,
                "text": email.body,
                "html": email.body_html,
            },
            dedupe_key=f"email:{key}:{user.pk}",
        )
    if wants_sms and user.has_verified_phone:
        text = render(
            templates, event=event, channel=NotificationChannel.SMS, language=language, context=with_url
        )
        outbox_write(
            event="notification.sms",
            payload={"user_id": user.pk, "text": text.body or text.subject},
            dedupe_key=f"sms:{key}:{user.pk}",
        )
    return entry


def _message_id_header(message_id: int) -> str:
    """One Message-ID per outbox row: if a crash makes the relay send this e-mail again, mail systems see
    the same message twice and show it once."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "claimdesk.invalid"
    return f"<outbox-{message_id}@{domain}>"


# E-mail and SMS talk to the outside world: the relay runs them outside any transaction (no row is locked
# while the gateway answers) and marks the row afterwards; a crash in between re-sends this one message.
@outbox_handler("notification.email", external=True)
def _send_email(message_id: int, payload: dict[str, Any]) -> None:
    user = User.objects.filter(pk=payload["user_id"], is_active=True).first()
    if user is None or not user.email:
        return
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["text"],
        to=[user.email],
        headers={"X-ClaimDesk-Id": str(message_id), "Message-ID": _message_id_header(message_id)},
    )
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    message.send()


@outbox_handler("notification.sms", external=True)
def _send_sms(message_id: int, payload: dict[str, Any]) -> None:
    user = User.objects.filter(pk=payload["user_id"], is_active=True).first()
    if user is None or not user.has_verified_phone or not payload.get("text"):
        return
    sms.send_sms(user.phone, payload["text"], dedupe_key=f"outbox-{message_id}")


# --- Reads and writes for the bell ---------------------------------------------------------------------
def notifications_for(*, user: User, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")[:limit]


def unread_count(*, user: User, cap: int = 99) -> int:
    """Counted through the partial index, and capped: the badge shows "99+" beyond that."""
    return Notification.objects.filter(user=user, read_at__isnull=True)[: cap + 1].count()


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def notification_preference_set(*, user: User, email: bool, sms_enabled: bool) -> NotificationPreference:
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        before = {"email": preference.email, "sms": preference.sms}
        now = timezone.now()
        # Consent is recorded with its time whenever a channel is switched (or chosen for the first time).
        if preference.email != email or preference.email_consent_at is None:
            preference.email_consent_at = now
        if preference.sms != sms_enabled or preference.sms_consent_at is None:
            preference.sms_consent_at = now
        preference.email, preference.sms = email, sms_enabled
        preference.save(update_fields=["email", "sms", "email_consent_at", "sms_consent_at"])
        audit_record(
            actor=user,
            action="notification.preferences",
            obj=preference,
            before=before,
            after={"email": email, "sms": sms_enabled},
        )
    return preference
