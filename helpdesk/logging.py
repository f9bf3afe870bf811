"""A log filter that keeps secrets and personal data out of the logs."""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    # key=value or "key": "value" pairs for secret-looking keys
    (
        re.compile(
            r"(?i)((?:password|passwd|secret|token|otp|sms_?code|cvv|authorization|api_?key|sessionid|csrftoken)"
            r"[\"']?\s*[:=]\s*[\"']?(?:token\s+|bearer\s+|basic\s+)?)([^\s\"'&,;]+)"
        ),
        r"\1***",
    ),
    (re.compile(r"(?<!\d)(\d{6})(\d{6,9})(\d{4})(?!\d)"), r"\1******\3"),  # card / ID-like digit runs
    (re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)"), r"\1****\3"),  # mainland mobile numbers
    (re.compile(r"([A-Za-z0-9._%+-]{1,2})[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)"), r"\1***@\2"),  # emails
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class DropThrottledFilter(logging.Filter):
    """A 429 is the throttle doing its job, already answered with ``Retry-After``: logging each one as a
    ``django.request`` warning would write thousands of lines a second during a scam wave (bench/wave.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 429
