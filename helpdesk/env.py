"""Strict readers for environment variables.

Every setting that an operator can change comes through here, so a typo such as ``DEBUG=ture`` stops the
process at start-up with a message naming the variable, instead of silently meaning something else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from helpdesk.ratelimit import parse_rate

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Env:
    """Reads typed values from a mapping (``os.environ`` by default)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def _fail(self, name: str, expected: str, got: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"Environment variable {name}: expected {expected}, got {got!r}.")

    def is_set(self, name: str) -> bool:
        return self._raw(name) is not None

    def string(self, name: str, default: str = "") -> str:
        raw = self._raw(name)
        return default if raw is None else raw

    def required_string(self, name: str, why: str) -> str:
        raw = self._raw(name)
        if raw is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required: {why}.")
        return raw

    def boolean(self, name: str, default: bool) -> bool:
        raw = self._raw(name)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise self._fail(name, "one of true/false/1/0/yes/no/on/off", raw)

    def integer(
        self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
    ) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise self._fail(name, "a whole number", raw) from None
        if minimum is not None and value < minimum:
            raise self._fail(name, f"a whole number >= {minimum}", raw)
        if maximum is not None and value > maximum:
            raise self._fail(name, f"a whole number <= {maximum}", raw)
        return value

    def strings(self, name: str, default: list[str] | None = None) -> list[str]:
        raw = self._raw(name)
        if raw is None:
            return list(default or [])
        return [item.strip() for item in raw.split(",") if item.strip()]

    def choice(self, name: str, choices: list[str], default: str) -> str:
        raw = self._raw(name)
        if raw is None:
            return default
        if raw not in choices:
            raise self._fail(name, "one of " + ", ".join(choices), raw)
        return raw

    def duration(self, name: str, default: timedelta) -> timedelta:
        """A duration such as ``90s``, ``15m``, ``24h`` or ``7d`` (a bare number means seconds)."""
        raw = self._raw(name)
        if raw is None:
            return default
        number, unit = (raw[:-1], raw[-1]) if raw[-1].lower() in _UNITS else (raw, "s")
        try:
            amount = float(number)
        except ValueError:
            raise self._fail(name, "a duration such as 90s, 15m, 24h or 7d", raw) from None
        if amount < 0:
            raise self._fail(name, "a positive duration", raw)
        return timedelta(seconds=amount * _UNITS[unit.lower()])

    def rate(self, name: str, default: str) -> tuple[int, int]:
        """A rate such as ``5/hour`` (also ``/s``, ``/min``, ``/day``): (count, period in seconds)."""
        raw = self._raw(name) or default
        try:
            return parse_rate(raw)
        except ValueError:
            raise self._fail(name, "a rate such as 5/hour (per s, min, hour or day)", raw) from None

    def rate_string(self, name: str, default: str) -> str:
        """A rate for DRF's throttles, checked like ``rate`` (a bad value stops start-up, not a request)."""
        self.rate(name, default)
        return self._raw(name) or default

    def url(self, name: str, default: str, schemes: tuple[str, ...]) -> str:
        raw = self._raw(name)
        if raw is None:
            return default
        scheme = raw.split("://", 1)[0] if "://" in raw else ""
        if scheme not in schemes:
            raise self._fail(name, "a URL starting with " + " or ".join(s + "://" for s in schemes), raw)
        return raw


env = Env()
