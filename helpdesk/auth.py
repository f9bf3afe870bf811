"""Authentication helpers shared by the web login and the API token endpoint."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpdesk.models import User


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


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The sign-in name django-axes locks on, lower-cased so case variations share one counter."""
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None:
        data = getattr(request, "data", None) or request.POST
        value = data.get("username") or data.get("email")
    return str(value).strip().lower() or None if value else None
