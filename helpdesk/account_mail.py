"""The project's own account e-mails (password reset, confirm a new account, "you already have an
account"), text + HTML, in the recipient's language, each with the anti-phishing line every ClaimDesk
message carries.

They go through the outbox: the request that asks for one answers at once and the same way whether or not
an e-mail is sent (nothing to time), and a message is not lost if the mail server is down. The payload holds
only the account id; the reset and confirmation links are made when the message is sent, so no live link
sits in the database. A confirmation link is signed, expires after ACCOUNT_ACTIVATION_TTL and works once
(it carries a digest of the account's state, which activating or registering again changes).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlencode, urlsafe_base64_encode

from helpdesk.models import User
from helpdesk.outbox import declare_events, outbox_handler, outbox_write

PASSWORD_RESET = "account.password_reset"
ACCOUNT_EXISTS = "account.exists_notice"
ACCOUNT_ACTIVATE = "account.activate"
declare_events(PASSWORD_RESET, ACCOUNT_EXISTS, ACCOUNT_ACTIVATE, module=__name__)
_ACTIVATION_SALT = "helpdesk.account_mail.activate"


def password_reset_queue(*, user: User) -> None:
    """In the caller's transaction: e-mail ``user`` a link to choose a new password."""
    outbox_write(event=PASSWORD_RESET, payload={"user_id": user.pk})


def account_exists_queue(*, user: User, next_url: str = "") -> None:
    """In the caller's transaction: tell ``user`` that someone tried to register their address."""
    outbox_write(event=ACCOUNT_EXISTS, payload={"user_id": user.pk, "next": next_url})


def activation_queue(*, user: User, next_url: str = "") -> None:
    """In the caller's transaction: e-mail the new (inactive) ``user`` a link that confirms the address,
    activates the account and signs them in, then takes them to ``next_url``."""
    outbox_write(event=ACCOUNT_ACTIVATE, payload={"user_id": user.pk, "next": next_url})


def _activation_state(user: User) -> str:
    # Activating (is_active, last_login) or re-registering (password) changes it: a link works once.
    state = f"{user.pk}\0{user.password}\0{user.is_active}\0{user.last_login}"
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def activation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "s": _activation_state(user)}, salt=_ACTIVATION_SALT, compress=True)


def activation_user(token: str) -> User | None:
    """The not-yet-active account ``token`` confirms, or None (forged, expired, used or superseded)."""
    try:
        data = signing.loads(token, salt=_ACTIVATION_SALT, max_age=settings.ACCOUNT_ACTIVATION_TTL)
        user = User.objects.filter(pk=int(data["u"]), is_active=False).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or not isinstance(data.get("s"), str):
        return None
    return user if secrets.compare_digest(data["s"], _activation_state(user)) else None


def _recipient(payload: Mapping[str, Any]) -> User | None:
    return User.objects.filter(pk=int(payload.get("user_id") or 0), is_active=True).first()


@outbox_handler(PASSWORD_RESET, external=True)
def _send_password_reset(message_id: int, payload: dict[str, Any]) -> None:
    user = _recipient(payload)
    if user is None or not user.has_usable_password():
        return
    link = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    send_account_email(user=user, template="password_reset", context={"reset_url": settings.SITE_URL + link})


@outbox_handler(ACCOUNT_EXISTS, external=True)
def _send_account_exists(message_id: int, payload: dict[str, Any]) -> None:
    user = _recipient(payload)
    if user is None:
        return
    sign_in = settings.SITE_URL + reverse("login")
    next_url = str(payload.get("next") or "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        sign_in += "?" + urlencode({"next": next_url})
    reset = settings.SITE_URL + reverse("password_reset")
    send_account_email(
        user=user, template="account_exists", context={"sign_in_url": sign_in, "reset_url": reset}
    )


@outbox_handler(ACCOUNT_ACTIVATE, external=True)
def _send_activation(message_id: int, payload: dict[str, Any]) -> None:
    user = User.objects.filter(pk=int(payload.get("user_id") or 0), is_active=False).first()
    if user is None:  # already confirmed
        return
    link = settings.SITE_URL + reverse("account_activate", kwargs={"token": activation_token(user)})
    next_url = str(payload.get("next") or "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        link += "?" + urlencode({"next": next_url})
    hours = int(settings.ACCOUNT_ACTIVATION_TTL.total_seconds() // 3600)
    send_account_email(user=user, template="account_activate", context={"activate_url": link, "hours": hours})


def send_account_email(*, user: User, template: str, context: Mapping[str, Any]) -> None:
    """Render ``registration/<template>_{subject,email}.txt`` and ``_email.html``; send them to ``user``."""
    supported = {code for code, _name in settings.LANGUAGES}
    language = user.language if user.language in supported else settings.LANGUAGE_CODE
    data = {"site_url": settings.SITE_URL, "user": user, **context}
    with translation.override(language):
        subject = "".join(render_to_string(f"registration/{template}_subject.txt", data).splitlines())
        text = render_to_string(f"registration/{template}_email.txt", data)
        html = render_to_string(f"registration/{template}_email.html", data)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()
