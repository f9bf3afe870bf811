"""Standard Webhooks (https://www.standardwebhooks.com) signing: ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, with ``whsec_``-prefixed secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

SECRET_PREFIX = "whsec_"


class SignatureError(Exception):
    pass


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        raise SignatureError("webhook secret is not valid base64") from None


def sign(*, secret: str, msg_id: str, timestamp: datetime | int, body: str | bytes) -> str:
    seconds = timestamp if isinstance(timestamp, int) else int(timestamp.timestamp())
    payload = body.encode() if isinstance(body, str) else body
    to_sign = f"{msg_id}.{seconds}.".encode() + payload
    digest = hmac.new(_key(secret), to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(
    *, secrets_: list[str], msg_id: str, timestamp: datetime | int, body: str | bytes
) -> dict[str, str]:
    """Headers for one delivery. During a secret rotation both secrets sign, space-separated."""
    seconds = timestamp if isinstance(timestamp, int) else int(timestamp.timestamp())
    signatures = " ".join(sign(secret=s, msg_id=msg_id, timestamp=seconds, body=body) for s in secrets_)
    return {"webhook-id": msg_id, "webhook-timestamp": str(seconds), "webhook-signature": signatures}


def verify(
    *, secret: str, headers_: dict[str, str], body: str | bytes, now: int, tolerance_seconds: int = 300
) -> bool:
    """What a receiving platform does; used in tests and offered to integrators as reference."""
    try:
        msg_id = headers_["webhook-id"]
        seconds = int(headers_["webhook-timestamp"])
        offered = headers_["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    if abs(now - seconds) > tolerance_seconds:
        return False
    expected = sign(secret=secret, msg_id=msg_id, timestamp=seconds, body=body)
    return any(
        hmac.compare_digest(expected, candidate) for candidate in offered if candidate.startswith("v1,")
    )
