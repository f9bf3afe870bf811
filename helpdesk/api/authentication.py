"""Authentication classes for DRF settings (kept free of view imports to avoid import cycles)."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from helpdesk.auth import is_verified, needs_second_factor


class VerifiedSessionAuthentication(SessionAuthentication):
    """A browser session counts for the API only once a staff member has passed TOTP."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if needs_second_factor(user) and not is_verified(user):
            return None
        return result
