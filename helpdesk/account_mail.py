"""The project's own account e-mails (password reset, "you already have an account"), text + HTML,
in the recipient's language, each with the anti-phishing line every ClaimDesk message carries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from helpdesk.models import User


def send_account_email(*, user: User, template: str, context: Mapping[str, Any]) -> None:
    """Render ``registration/<template>_{subject,email}.txt`` and ``_email.html`` and send them to ``user``.

    Called after the transaction that decided to send has committed; the person is waiting for it.
    """
    supported = {code for code, _name in settings.LANGUAGES}
    language = user.language if user.language in supported else translation.get_language()
    data = {"site_url": settings.SITE_URL, "user": user, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = "".join(render_to_string(f"registration/{template}_subject.txt", data).splitlines())
        text = render_to_string(f"registration/{template}_email.txt", data)
        html = render_to_string(f"registration/{template}_email.html", data)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()
