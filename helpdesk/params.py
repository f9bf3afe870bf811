"""Reading hostile input in one place: integer parameters with bounds, and characters no value may carry.

``read_int`` is what pagination (``helpdesk.api.pagination``) and HTML views' ``?edit=`` style parameters
use: a value that is not a plain decimal number or lies outside its bounds raises ``BadParameter``, which
Django answers with the 400 page and the API with the error envelope (``helpdesk.api.errors``), never a
``bigint out of range`` from the database. ``HostileInputMiddleware`` (helpdesk.middleware) refuses control
characters with ``forbidden_character``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

# PostgreSQL cannot store NUL in text, and no address or query parameter has a reason to carry a C0 control
# character or DEL. Tab, newline and carriage return stay allowed where text is pasted (query values).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PLAIN_INTEGER = re.compile(r"[+-]?[0-9]{1,30}")

# Every integer a client may send fits PostgreSQL's bigint by a wide margin.
BIGINT_MAX = 2**63 - 1


class BadParameter(BadRequest):
    """A request parameter that cannot be used; ``message`` is translated and names what is expected."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def forbidden_character(value: str, *, text: bool = False) -> bool:
    """True if ``value`` holds a control character (``text``: tab, newline and CR are allowed)."""
    return bool((_CONTROL_IN_TEXT if text else _CONTROL).search(value))


def read_int(
    params: Mapping[str, Any], name: str, *, default: int | None, minimum: int = 0, maximum: int = BIGINT_MAX
) -> int | None:
    """``params[name]`` as an int within ``minimum``..``maximum``; ``default`` when absent or empty."""
    raw = params.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    text = str(raw).strip()
    value = int(text) if _PLAIN_INTEGER.fullmatch(text) else None
    if value is None or not minimum <= value <= maximum:
        raise BadParameter(
            name,
            _("“%(name)s” must be a whole number from %(minimum)d to %(maximum)d.")
            % {"name": name, "minimum": minimum, "maximum": maximum},
        )
    return value


_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def read_bool(params: Mapping[str, Any], name: str, *, default: bool = False) -> bool:
    """``params[name]`` as ``true``/``false`` (or 1/0); anything else is a ``BadParameter``, not False."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    text = str(raw).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise BadParameter(name, _("“%(name)s” must be true or false.") % {"name": name})
