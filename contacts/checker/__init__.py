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
    ReportSummary,
    Result,
    check,
    official_report_keys,
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
    "ReportSummary",
    "Result",
    "check",
    "extract",
    "normalise",
    "official_report_keys",
    "report_key",
]
