"""The one error answer for views and middleware: the API's JSON envelope under /api/, else the page.

Below the views so that middleware (which answers before any view runs) can use it too."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def error_response(
    request: HttpRequest,
    status: int,
    title: str,
    message: str,
    *,
    code: str = "",
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """The API's error envelope under /api/, else the translated error page."""
    if request.path.startswith("/api/"):
        code = (
            code
            or {400: "bad_request", 403: "permission_denied", 404: "not_found", 500: "server_error"}[status]
        )
        return JsonResponse(
            {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status
        )
    return render(
        request, "errors/error.html", {"status": status, "title": title, "message": message}, status=status
    )
