"""An email backend for reliability tests: writes each message to a file after a pause, so a test can kill
the worker in the middle of sending. Selected by the worker's EMAIL_BACKEND environment variable."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from django.core.mail.backends.filebased import EmailBackend
from django.core.mail.message import EmailMessage


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "0")))
        return super().send_messages(email_messages)
