"""The API's JSON parser: every endpoint that reads JSON takes an object, and nothing that breaks storage.

DRF's own parser hands views whatever JSON was sent: ``null``, ``[1,2,3]`` or ``true`` reached code that
expects a mapping (a 500), NUL in a string reached PostgreSQL (which cannot store it: a 500), and a
40,000-digit integer or a deeply nested body reached code that cannot take them. Here they are a 400 in the
error envelope (``parse_error``) before any view runs. Set as DEFAULT_PARSER_CLASSES' JSON parser; a view
that lists its own parsers lists this one."""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Longer decimal integers than any field accepts (bigint has 19 digits) are refused while parsing, before
# Python spends quadratic time converting them.
_MAX_INTEGER_DIGITS = 20


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INTEGER_DIGITS:
        raise ValueError("integer too long")
    return int(text)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())  # names are never stored; unknown ones ignored
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class JSONObjectParser(parsers.JSONParser):
    accepts_list = False  # a list of objects is a body only where an endpoint takes a batch

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.load(
                codecs.getreader(encoding)(stream), parse_int=_bounded_int, parse_constant=_no_constants
            )
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None
        except ValueError as exc:
            raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from None
        if not isinstance(data, dict) and not (self.accepts_list and isinstance(data, list)):
            raise ParseError(_("The body must be a JSON object ({…}), not %(kind)s.") % {"kind": _kind(data)})
        if _has_nul(data):
            raise ParseError(_("The body contains NUL characters, which are not allowed."))
        return data


def _kind(data: Any) -> str:
    if data is None:
        return "null"
    if isinstance(data, bool):
        return _("a boolean")
    if isinstance(data, list):
        return _("an array")
    if isinstance(data, str):
        return _("a string")
    return _("a number")


class JSONObjectOrListParser(JSONObjectParser):
    """For batch endpoints (``POST /api/v1/platform/events/``): one object, or a list that the view checks
    item by item (an invalid item is reported by its index, the others are kept)."""

    accepts_list = True
