"""Authentication classes for DRF settings (kept free of view imports to avoid import cycles)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.request import Request

from helpdesk import api_tokens
from helpdesk.auth import is_verified, needs_second_factor
from helpdesk.models import ApiToken, User


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against the project's hashed, expiring tokens (helpdesk.api_tokens)."""

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = api_tokens.api_token_check(key)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("Invalid, expired or revoked token. Request a new one at /api/v1/auth/token/.")
            )
        return token.user, token


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
