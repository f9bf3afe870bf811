"""API tokens: issue, check, list, revoke. Writes are audited in the same transaction.

Only a SHA-256 of each key is stored. A token is refused once it expires (``API_TOKEN_TTL``), is revoked,
the account's password changes (anywhere: form, reset, admin, command line), or, for staff while
``STAFF_2FA_REQUIRED`` is on, when it was not issued after a verified TOTP code.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from helpdesk.audit import audit_record
from helpdesk.auth import needs_second_factor
from helpdesk.models import ApiToken, User

# Keep at most this many live tokens per account; issuing another drops the oldest.
MAX_TOKENS_PER_USER = 20
# last_used_at is written at most this often per token, so reads do not turn into writes.
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_marker(user: User) -> str:
    """Changes whenever the password hash changes; a token issued under another password is dead."""
    return salted_hmac("claimdesk.api_token.password", user.password, algorithm="sha256").hexdigest()


@transaction.atomic
def api_token_issue(*, user: User, otp_verified: bool, client_name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key, which is never shown again."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        prefix=key[:8],
        name=client_name[:120],
        created_at=now,
        expires_at=now + settings.API_TOKEN_TTL,
        otp_verified=otp_verified,
        password_marker=password_marker(user),
    )
    surplus = ApiToken.objects.filter(user=user).order_by("-created_at", "-id")[MAX_TOKENS_PER_USER:]
    ApiToken.objects.filter(pk__in=list(surplus.values_list("pk", flat=True))).delete()
    audit_record(
        actor=user,
        action="user.api_token_issued",
        obj=user,
        after={"token": token.prefix, "expires_at": token.expires_at.isoformat(), "otp": otp_verified},
    )
    return token, key


def api_token_check(key: str) -> ApiToken | None:
    """The live token for ``key`` with its user loaded, or None (unknown, expired, stale, or no 2FA)."""
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None:
        return None
    now = timezone.now()
    user = token.user
    if token.expires_at <= now or not user.is_active:
        return None
    if not secrets.compare_digest(token.password_marker, password_marker(user)):
        return None
    if needs_second_factor(user) and not token.otp_verified:
        return None
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_for(*, user: User) -> QuerySet[ApiToken]:
    """The account's tokens that still work, newest first."""
    marker = password_marker(user)
    tokens = ApiToken.objects.filter(user=user, expires_at__gt=timezone.now(), password_marker=marker)
    if needs_second_factor(user):
        tokens = tokens.filter(otp_verified=True)
    return tokens.order_by("-created_at", "-id")


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> bool:
    """Revoke one of ``actor``'s own tokens; False when there is no such token of theirs."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        return False
    prefix = token.prefix
    token.delete()
    audit_record(actor=actor, action="user.api_token_revoked", obj=actor, before={"token": prefix})
    return True


@transaction.atomic
def api_tokens_revoke_all(*, user: User, actor: User | None, reason: str) -> int:
    """Every token of ``user`` (a password change or reset; the marker already refuses them)."""
    count, _by_model = ApiToken.objects.filter(user=user).delete()
    if count:
        audit_record(
            actor=actor, action="user.api_tokens_revoked", obj=user, after={"count": count}, reason=reason
        )
    return count


def api_tokens_purge_expired(*, batch_size: int = 1000) -> int:
    """Delete expired tokens in batches (a beat task); they no longer work and the list hides them."""
    deleted = 0
    while True:
        ids = list(
            ApiToken.objects.filter(expires_at__lte=timezone.now()).values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        deleted += ApiToken.objects.filter(pk__in=ids).delete()[0]
