"""Many rows as one parameter on PostgreSQL: an array literal, built here in one ``join``.

Django's psycopg cursor binds on the client: a Python list becomes an array by quoting and escaping every
element (a regular expression per element), which cost the SLA sweep more than the statements themselves
(issue 17). The values the sweep passes (ids, timestamps, enum values) need no quoting inside an array
literal, so the literal is joined directly and passed as a single text parameter (cast with ``%s::T[]``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:+")


def pg_array(values: Iterable[int | str | datetime]) -> str:
    """``{1,2,3}`` for ints, timestamps (ISO 8601, with their offset) and plain words; anything that
    would need quoting inside an array literal is refused rather than escaped."""
    parts = []
    for value in values:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime in an array literal")
            parts.append(value.isoformat())
        elif isinstance(value, int):
            parts.append(str(int(value)))
        elif value and _PLAIN.issuperset(value):
            parts.append(value)
        else:
            raise ValueError(f"{value!r} needs quoting in an array literal")
    return "{" + ",".join(parts) + "}"
