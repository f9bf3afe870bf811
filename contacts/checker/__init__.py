"""“Is this number official?”: find every number, link, address and id in a text and judge each."""

from __future__ import annotations

from contacts.checker.engine import (
    LOOKALIKE,
    OFFICIAL,
    REPORTED,
    RETIRED,
    SUSPENDED,
    UNKNOWN,
    Outcome,
    Result,
    check,
    report_key,
)
from contacts.checker.extract import MAX_QUERY_CHARS, Found, InputProblem, extract, normalise

__all__ = [
    "LOOKALIKE",
    "MAX_QUERY_CHARS",
    "OFFICIAL",
    "REPORTED",
    "RETIRED",
    "SUSPENDED",
    "UNKNOWN",
    "Found",
    "InputProblem",
    "Outcome",
    "Result",
    "check",
    "extract",
    "normalise",
    "report_key",
]
