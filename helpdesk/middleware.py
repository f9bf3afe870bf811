from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from helpdesk import context
from helpdesk.auth import is_verified
from helpdesk.params import forbidden_character

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


def client_network(address: str | None) -> str | None:
    """The network an address belongs to as one person: IPv4 /24, IPv6 /64 (a home or office router hands
    out addresses from one of these, so rotating the last bits, or the User-Agent, is not a new person).
    IPv4-mapped IPv6 counts as IPv4; None when ``address`` is no address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


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


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class HostileInputMiddleware:
    """One answer to characters no request may carry, before any view or query sees them: 400, translated.

    Refused: a control character (C0 or DEL) in the path; NUL or another control character except tab,
    newline and CR in a query parameter's name or value; NUL in a header, a form field's value or an
    uploaded file's name (forms keep what was typed and explain other characters themselves). JSON bodies
    are checked by the API's parser (helpdesk.api.parsers). PostgreSQL cannot store NUL: it was a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = self._offending(request)
        if where is not None:
            from helpdesk.errors import error_response

            message = _("The request contains control characters (such as NUL), which are not allowed.")
            fields = {where: [_("Remove the control characters from this value.")]} if where else {}
            return error_response(
                request, 400, _("Bad request"), message, code="control_characters", fields=fields
            )
        return self.get_response(request)

    @staticmethod
    def _offending(request: HttpRequest) -> str | None:
        """The name of the offending parameter ("" for the path or a header), or None if all is well."""
        if forbidden_character(request.path):
            return ""
        if any("\x00" in str(value) for key, value in request.META.items() if key.startswith("HTTP_")):
            return ""
        for key, values in request.GET.lists():
            if forbidden_character(key, text=True) or any(forbidden_character(v, text=True) for v in values):
                return key if not forbidden_character(key) else ""
        if request.method == "POST" and request.content_type in _FORM_TYPES:
            # Values only: a field name is never stored, and forms ignore names they do not know.
            for key, values in request.POST.lists():
                if any("\x00" in v for v in values):
                    return key if "\x00" not in key else ""
            for key, files in request.FILES.lists():
                if any("\x00" in (upload.name or "") for upload in files):
                    return key
        return None


_CSP_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy built once per process instead of twice per response (the
    policy and the report-only policy, each serialised from the settings every time). Only the plain case
    is kept: a response with its own policy (``@csp_update`` and the like) or a request that used a nonce
    goes through django-csp as before. Settings changes (tests) start over."""

    _built: dict[bool, str] = {}

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _CSP_PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for report_only, header, exempt, setting in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = self._built.get(report_only)
            if policy is None:
                policy = self._built[report_only] = build_policy(report_only=report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


@receiver(setting_changed)
def _forget_the_built_policy(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        ContentSecurityPolicyMiddleware._built.clear()
