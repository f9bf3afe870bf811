"""Signing in as the real flows do: TOTP devices and codes for staff, API tokens."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpdesk.models import User


def totp_device(user: User) -> TOTPDevice:
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    return device


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def issue_token(user: User, *, otp_verified: bool = True) -> str:
    """An API token key for ``user``, as POST /api/v1/auth/token/ would issue it."""
    from helpdesk.api_tokens import api_token_issue

    return api_token_issue(user=user, otp_verified=otp_verified)[1]
