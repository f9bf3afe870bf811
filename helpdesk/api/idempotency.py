"""``Idempotency-Key`` for API writes: a retried request never creates a second claim.

Semantics (as Stripe and the IETF draft ``draft-ietf-httpapi-idempotency-key-header``):
- no header: the request runs as usual;
- a new key: the request runs; a successful (2xx) response is stored with the key, in the same
  transaction as the change it made, so the key and the change commit or vanish together;
- the same key and the same body again: the stored response is replayed (``Idempotent-Replayed: true``);
- the same key with a different body: 422, nothing runs;
- a concurrent duplicate: its insert of the key waits on the first request's uncommitted row (unique
  index), then replays the first response; on SQLite, write transactions are serialised anyway.
Failed requests (4xx/5xx) are not stored, so the client may fix the body and retry with the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk.api.errors import error_body
from helpdesk.middleware import client_ip
from helpdesk.models import IdempotencyRecord

HEADER = "Idempotency-Key"
_KEPT_HEADERS = ("Location",)


def request_fingerprint(data: Mapping[str, Any], files: Mapping[str, Any] | None = None) -> str:
    """A stable digest of a request body: form/JSON fields plus the content of uploaded files."""
    digest = hashlib.sha256()
    if hasattr(data, "lists"):
        fields: dict[str, Any] = dict(data.lists())
    else:
        fields = dict(data)
    digest.update(json.dumps(fields, sort_keys=True, cls=DjangoJSONEncoder, default=str).encode())
    files = files or {}
    for name in sorted(files):
        uploads = files.getlist(name) if hasattr(files, "getlist") else [files[name]]
        for upload in uploads:
            digest.update(name.encode() + b"\0")
            digest.update(_file_digest(upload).encode())
    return digest.hexdigest()


def _file_digest(upload: UploadedFile) -> str:
    file_hash = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        file_hash.update(chunk)
    upload.seek(0)
    return file_hash.hexdigest()


def _client(request: Request) -> str:
    if request.user and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    # No raw address is stored: a salted digest is enough to keep strangers' keys apart.
    ip = client_ip(request._request) or "-"
    return "anon:" + hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:40]


def _invalid_key() -> Response:
    return Response(
        error_body(
            "invalid_idempotency_key",
            _("The Idempotency-Key header must be 1 to 255 visible ASCII characters."),
        ),
        status=status.HTTP_400_BAD_REQUEST,
    )


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        return Response(
            error_body(
                "idempotency_key_reused",
                _("This Idempotency-Key was already used with a different request body."),
            ),
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    headers = {**record.response_headers, "Idempotent-Replayed": "true"}
    return Response(record.response_body, status=record.status_code or 200, headers=headers)


def idempotent(
    request: Request, *, scope: str, fingerprint: str, handler: Callable[[], Response]
) -> Response:
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    key = key.strip()
    if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
        return _invalid_key()
    client = _client(request)
    lookup = {"client": client, "scope": scope, "key": key}
    fresh_after = timezone.now() - settings.IDEMPOTENCY_KEY_TTL
    with transaction.atomic():
        # An expired record for this key no longer counts; clear it so the key can be used again.
        IdempotencyRecord.objects.filter(**lookup, created_at__lt=fresh_after).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(**lookup, fingerprint=fingerprint)
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(**lookup)
            return _replay(existing, fingerprint)
        response = handler()
        if not 200 <= response.status_code < 300:
            transaction.set_rollback(True)  # forget the key together with whatever the handler did
            return response
        body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
        kept = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code, response_body=body, response_headers=kept
        )
        return response
