"""Pagination for every list endpoint: ``limit`` 1-MAX_PAGE_SIZE, ``offset`` 0-MAX_OFFSET, checked by the
shared reader (helpdesk.params.read_int): a bad or absurd value is a 400 naming the parameter, never a
silent clamp or a ``bigint out of range``. The schema states the same bounds."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import pagination
from rest_framework.request import Request

from helpdesk.params import read_int

MAX_PAGE_SIZE = 200
MAX_OFFSET = 1_000_000


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_PAGE_SIZE

    def get_limit(self, request: Request) -> int | None:
        configured: Any = settings.REST_FRAMEWORK.get("PAGE_SIZE") or 50
        default = min(int(configured), MAX_PAGE_SIZE)
        return read_int(
            request.query_params, self.limit_query_param, default=default, minimum=1, maximum=MAX_PAGE_SIZE
        )

    def get_offset(self, request: Request) -> int:
        return read_int(request.query_params, self.offset_query_param, default=0, maximum=MAX_OFFSET) or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": MAX_PAGE_SIZE},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
