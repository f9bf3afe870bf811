from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation

from helpdesk import context
from helpdesk.auth import is_verified

_OTP_FREE_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/healthz", "/readyz", "/i18n/")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as TRUSTED_PROXY_COUNT proxies."""
    proxies: int = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Tags each request with an id and records where it came from, for the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        ctx = context.ActionContext(source="web", ip=client_ip(request), request_id=request_id)
        with context.acting_from(ctx):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class LanguageMiddleware:
    """Chinese unless the person chose otherwise.

    Web pages follow the language cookie (set by the switch on every page), else Simplified Chinese: the
    product is for mainland users whatever their browser says. API clients may also ask by Accept-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported:
            language = None
        if language is None and request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
        language = language or settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override() restores the previous language afterwards: a worker thread serving the next request
        # (or a test client call) must not inherit this one's choice.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie, Accept-Language")
        return response


class StaffSecondFactorMiddleware:
    """A staff session that has not passed TOTP can reach only the second-factor pages and logout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.STAFF_2FA_REQUIRED
            and user.is_authenticated
            and getattr(user, "is_staff_role", False)
            and not is_verified(user)
            and not request.path.startswith(_OTP_FREE_PREFIXES)
            and not request.path.startswith("/api/")  # API auth is token-based; see helpdesk.api
        ):
            return redirect("otp_verify")
        return self.get_response(request)
