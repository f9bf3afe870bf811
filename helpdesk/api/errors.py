"""One JSON error shape for the whole API: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.params import BadParameter


def _flatten(detail: Any) -> Any:
    if isinstance(detail, list):
        return [str(item) if not isinstance(item, dict | list) else _flatten(item) for item in detail]
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return [str(detail)]


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, BadParameter):
        exc = exceptions.ValidationError({exc.name: [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = _flatten(detail) if isinstance(detail, dict) else {"non_field_errors": _flatten(detail)}
        non_field = fields.pop("non_field_errors", None)
        message = str(non_field[0]) if non_field else _("Some fields are not valid.")
        if non_field:
            fields["non_field_errors"] = non_field
        response.data = error_body("invalid", message, fields)
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if not isinstance(exc.detail, list | dict) else exc.default_code
        message = str(exc.detail) if not isinstance(exc.detail, list | dict) else str(exc.default_detail)
        response.data = error_body(str(code), message)
        if isinstance(exc, exceptions.Throttled):
            response.data["error"]["retry_after"] = getattr(exc, "wait", None)
    return response


class UnprocessableEntity(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request could not be processed."
    default_code = "unprocessable"
