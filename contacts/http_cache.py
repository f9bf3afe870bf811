"""HTTP caching of the public pages and the checker: validators, 304s, Cache-Control, and the rendered
copies kept in Django's cache.

Only an anonymous read is shared: no session cookie, no pending messages, no Authorization header. Its
copy and its validators are keyed by the directory version (``contacts.versioning``, bumped in the
transaction of every change), the language and the full path; pages that say "open now" add the minute.
Anyone else gets ``Cache-Control: private, no-store`` and a freshly rendered page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language

from contacts import answer_cache, versioning

VARY = ("Cookie", "Accept-Language")
_MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage


def is_anonymous_read(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and _MESSAGES_COOKIE not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def mark_private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    patch_vary_headers(response, VARY)
    return response


def mark_public(response: HttpResponse, *, etag: str, last_modified: datetime | None = None) -> HttpResponse:
    """Shared caches may keep it briefly and serve it stale while they revalidate (with the ETag)."""
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = (
        f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}, "
        f"stale-while-revalidate={settings.PUBLIC_CACHE_STALE}"
    )
    patch_vary_headers(response, VARY)
    return response


def etag_of(*parts: str) -> str:
    return '"' + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32] + '"'


def matches(request: HttpRequest, etag: str, last_modified: datetime | None = None) -> bool:
    """Does the client already hold this answer? If-None-Match wins over If-Modified-Since (RFC 9110)."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return last_modified is not None and since is not None and int(last_modified.timestamp()) <= since


def not_modified(etag: str, last_modified: datetime | None = None) -> HttpResponse:
    return mark_public(HttpResponseNotModified(), etag=etag, last_modified=last_modified)


@dataclass(frozen=True, slots=True)
class _Page:
    content: bytes
    content_type: str


def public_page(
    *, minute: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve an anonymous read from the rendered copy of this directory version (and minute, for pages
    that say "open now"); answer conditional requests with 304. Only 200s are kept."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_anonymous_read(request):
                return mark_private(view(request, *args, **kwargs))
            version = versioning.current()
            last_modified = version.changed_at
            stamp = ""
            if minute:
                now = timezone.now().replace(second=0, microsecond=0)
                last_modified, stamp = max(last_modified, now), now.isoformat()
            etag = etag_of(version.key, get_language() or "", stamp, request.get_full_path())
            if matches(request, etag, last_modified):
                return not_modified(etag, last_modified)
            key = f"page:{etag.strip(chr(34))}"
            page = answer_cache.get(key)
            if page is None:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.cookies or response.streaming:
                    return mark_private(response)
                page = _Page(response.content, response["Content-Type"])
                timeout = timedelta(minutes=1) if minute else timedelta(minutes=10)
                answer_cache.put(key, page, int(timeout.total_seconds()))
            response = HttpResponse(page.content, content_type=page.content_type)
            return mark_public(response, etag=etag, last_modified=last_modified)

        return wrapper

    return decorator
