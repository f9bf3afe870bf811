"""The project's own account e-mails (password reset, "you already have an account"), text + HTML,
in the recipient's language, each with the anti-phishing line every ClaimDesk message carries.

They go through the outbox: the request that asks for one answers at once and the same way whether or not
an e-mail is sent (nothing to time), and a message is not lost if the mail server is down. The payload holds
only the account id; the reset link is made when the message is sent, so no live link sits in the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
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
declare_events(PASSWORD_RESET, ACCOUNT_EXISTS, module=__name__)


def password_reset_queue(*, user: User) -> None:
    """In the caller's transaction: e-mail ``user`` a link to choose a new password."""
    outbox_write(event=PASSWORD_RESET, payload={"user_id": user.pk})


def account_exists_queue(*, user: User, next_url: str = "") -> None:
    """In the caller's transaction: tell ``user`` that someone tried to register their address."""
    outbox_write(event=ACCOUNT_EXISTS, payload={"user_id": user.pk, "next": next_url})


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
