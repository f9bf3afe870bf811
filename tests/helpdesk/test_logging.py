from __future__ import annotations

import logging

import pytest

from helpdesk.logging import RedactFilter, redact


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("login password=hunter2222 failed", "hunter2222"),
        ('payload {"sms_code": "834211"}', "834211"),
        ("card 6222021234567890123 used", "21234567890"),
        ("user alice.wong@example.com", "alice.wong"),
        ("phone 13800138000", "0013"),
        ("Authorization: Token abcdef123456", "abcdef123456"),
    ],
)
def test_secrets_and_personal_data_are_redacted(text, secret):
    assert secret not in redact(text)


def test_the_filter_rewrites_records(caplog):
    logger = logging.getLogger("claimdesk.test")
    logger.addFilter(RedactFilter())
    with caplog.at_level(logging.INFO):
        logger.info("reset for %s with otp=%s", "bob@example.com", "123456")
    assert "123456" not in caplog.text and "bob@" not in caplog.text


@pytest.mark.parametrize("status, logged", [(429, False), (404, True), (503, True)])
def test_throttled_answers_are_not_logged_one_by_one(caplog, status, logged):
    """A wave's 429s would flood the log; every other 4xx/5xx warning still reaches it."""
    with caplog.at_level(logging.WARNING):
        logger = logging.getLogger("django.request")
        logger.warning("Answer: %s", "/api/v1/check/", extra={"status_code": status})
    assert ("Answer: /api/v1/check/" in caplog.text) is logged
