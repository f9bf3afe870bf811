"""An email backend for reliability tests: writes each message to a file after a pause, so a test can kill
the worker in the middle of sending. Selected by the worker's EMAIL_BACKEND environment variable.

Before the pause it leaves ``sending`` in the mail folder: the test waits for that file, not for a guessed
time, to know the worker is inside the send."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend
from django.core.mail.message import EmailMessage

SENDING = "sending"


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        Path(self.file_path, SENDING).touch()
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "0")))  # a slow mail server, not a wait
        return super().send_messages(email_messages)
