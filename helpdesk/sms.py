"""Pluggable SMS sending. ``SMS_BACKEND`` picks one; operators plug a real provider behind the gateway.

- ``helpdesk.sms.LoggingBackend`` (default): logs a masked line and remembers messages (``sent``) for tests;
  with ``DEBUG`` on it also logs the text, so `make run` shows verification codes.
- ``helpdesk.sms.HttpGatewayBackend``: POSTs signed JSON (Standard Webhooks headers, ``SMS_GATEWAY_SECRET``)
  to ``SMS_GATEWAY_URL`` through the SSRF-guarded client.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from helpdesk import safe_http, webhook_signing

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The message was not accepted; the caller's task retries."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str
    # The same key for a re-send of the same message (the outbox row's id), sent as ``webhook-id`` so
    # the gateway can drop the duplicate.
    dedupe_key: str = ""


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> str: ...


class LoggingBackend:
    sent: ClassVar[list[SmsMessage]] = []

    def send(self, message: SmsMessage) -> str:
        LoggingBackend.sent.append(message)
        masked = message.to[:-4].rstrip() + "****" if len(message.to) > 4 else "****"
        logger.info("SMS to %s (%d characters)", masked, len(message.text))
        if settings.DEBUG:
            # `make run` (DEBUG) has no phone: show the text, verification codes included, to the developer.
            # The redaction filter leaves it readable (it masks numbers and key=value secrets, not prose).
            logger.info("SMS text (DEBUG only): %s", message.text)
        return f"log-{uuid.uuid4().hex[:12]}"


class HttpGatewayBackend:
    def send(self, message: SmsMessage) -> str:
        msg_id = f"sms_{message.dedupe_key or uuid.uuid4().hex}"
        body = json.dumps({"to": message.to, "text": message.text}, ensure_ascii=False).encode()
        headers = webhook_signing.headers(
            secrets_=[settings.SMS_GATEWAY_SECRET], msg_id=msg_id, timestamp=timezone.now(), body=body
        )
        try:
            response = safe_http.post_json(
                settings.SMS_GATEWAY_URL,
                body,
                headers,
                allowed_networks=safe_http.parse_networks(settings.OUTBOUND_ALLOWED_NETWORKS),
                timeout=10,
            )
        except (OSError, safe_http.BlockedDestination) as exc:
            raise SmsError(str(exc)) from exc
        if not 200 <= response.status < 300:
            raise SmsError(f"gateway answered {response.status}")
        return msg_id


def get_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def send_sms(to: str, text: str, *, dedupe_key: str = "") -> str:
    return get_backend().send(SmsMessage(to=to, text=text, dedupe_key=dedupe_key))
