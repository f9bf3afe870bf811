"""Authentication helpers shared by the web login and the API token endpoint."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpdesk.identifiers import canonical_email
from helpdesk.models import Role, User
from helpdesk.phones import normalize_personal_phone


def lockout_response(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """What django-axes answers once an IP + username pair is locked out."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "locked_out", "message": message, "fields": {}}}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


def is_verified(user: Any) -> bool:
    """Whether this session passed a second factor (django-otp's middleware adds ``is_verified``)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def needs_second_factor(user: User) -> bool:
    return bool(settings.STAFF_2FA_REQUIRED and user.is_staff_role)


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def verify_totp(user: User, token: str) -> TOTPDevice | None:
    """The user's confirmed device if ``token`` is a valid code for it (django-otp throttles failures)."""
    device = confirmed_totp_device(user)
    token = (token or "").strip().replace(" ", "")
    if device is not None and token.isdigit() and device.verify_token(token):
        return device
    return None


def phone_sign_in_user(phone: str) -> User | None:
    """The one customer whose *verified* phone number is ``phone`` (E.164), else None. Staff never."""
    matches = list(User.objects.filter(phone=phone, phone_verified_at__isnull=False, role=Role.CUSTOMER)[:2])
    return matches[0] if len(matches) == 1 else None


def sign_in_account(raw: str) -> tuple[User | None, str]:
    """The account a sign-in name (e-mail or phone, any spelling) resolves to, and its canonical key.

    Backends and the lockout both call this, so every spelling that could sign in to an account shares
    that account's failure counter; an unknown name gets a canonical key so its spellings share one too.
    """
    text = unicodedata.normalize("NFKC", (raw or "").strip())
    if not text:
        return None, ""
    if "@" in text:
        email = canonical_email(text)
        return User.objects.filter(email__iexact=email).first(), f"email:{email}"
    try:
        phone = normalize_personal_phone(text)
    except ValidationError:
        return None, f"name:{canonical_email(text)}"
    return phone_sign_in_user(phone), f"phone:{phone}"


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """What django-axes counts failures against: the account the name resolves to (``account:<id>``),
    or for a name that matches no account, its canonical form. Never the raw spelling."""
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None:
        data = getattr(request, "data", None) or request.POST
        value = data.get("username") or data.get("email")
    if not value:
        return None
    user, key = sign_in_account(str(value))
    if user is not None:
        return f"account:{user.pk}"
    return key or None
