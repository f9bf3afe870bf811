"""The platform API: a card platform talks to ClaimDesk with its own key.

Keys look like ``cdk_<prefix>_<secret>``; only the SHA-256 of the whole key is stored, looked up by the
prefix and compared in constant time. ``Authorization: Bearer cdk_…``.

A key carries scopes (``SCOPES``): ``webhooks`` (its webhook endpoints, the scope of keys issued before
scopes existed), ``events:write`` (order and top-up events), ``claims:read`` and ``claims:write`` (its claims
and their outcomes). A call outside the key's scopes answers 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from helpdesk import webhooks
from helpdesk.audit import audit_record
from helpdesk.models import PlatformApiKey, User, WebhookEndpoint

PREFIX = "cdk_"
SCOPES = ("webhooks", "events:write", "claims:read", "claims:write")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _clean_scopes(scopes: Iterable[str] | None) -> list[str]:
    wanted = set(scopes) if scopes is not None else {"webhooks"}
    unknown = wanted - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown platform key scopes: {sorted(unknown)}")
    return [scope for scope in SCOPES if scope in wanted]


def platform_key_issue(
    *, actor: User | None, platform_id: int, name: str = "", scopes: Iterable[str] | None = None
) -> tuple[PlatformApiKey, str]:
    """A new key for the platform; the clear key is returned once and never stored."""
    prefix = secrets.token_hex(4)
    key = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    granted = _clean_scopes(scopes)
    with transaction.atomic():
        row = PlatformApiKey.objects.create(
            platform_id=platform_id,
            name=name[:80],
            prefix=prefix,
            key_hash=_digest(key),
            created_by=actor,
            scopes=granted,
        )
        audit_record(
            actor=actor,
            action="platform_key.issued",
            obj=row,
            after={"platform_id": platform_id, "scopes": granted},
        )
    return row, key


def platform_key_set_scopes(*, actor: User | None, key: PlatformApiKey, scopes: Iterable[str]) -> None:
    granted = _clean_scopes(scopes)
    with transaction.atomic():
        row = PlatformApiKey.objects.select_for_update().get(pk=key.pk)
        if row.scopes == granted:
            return
        before = list(row.scopes)
        row.scopes = granted
        row.save(update_fields=["scopes"])
        key.scopes = granted
        audit_record(
            actor=actor,
            action="platform_key.scopes_changed",
            obj=row,
            before={"scopes": before},
            after={"scopes": granted},
        )


def platform_key_ensure(
    *, platform_id: int, key: str, name: str, scopes: Iterable[str], actor: User | None = None
) -> tuple[PlatformApiKey, bool]:
    """Make sure this exact key exists, unrevoked, with these scopes (the demo key: ``make run`` under
    DEMO_MODE only). Returns (row, created)."""
    if not key.startswith(PREFIX) or "_" not in key[len(PREFIX) :]:
        raise ValueError("a platform key looks like cdk_<prefix>_<secret>")
    prefix = key[len(PREFIX) :].split("_", 1)[0]
    granted = _clean_scopes(scopes)
    with transaction.atomic():
        row = PlatformApiKey.objects.select_for_update().filter(prefix=prefix).first()
        if row is None:
            row = PlatformApiKey.objects.create(
                platform_id=platform_id, name=name[:80], prefix=prefix, key_hash=_digest(key), scopes=granted
            )
            audit_record(
                actor=actor,
                action="platform_key.issued",
                obj=row,
                after={"platform_id": platform_id, "scopes": granted},
            )
            return row, True
        wanted = {"platform_id": platform_id, "key_hash": _digest(key), "scopes": granted, "revoked_at": None}
        changed = [name for name, value in wanted.items() if getattr(row, name) != value]
        if changed:
            before = {"platform_id": row.platform_id, "scopes": row.scopes, "revoked": bool(row.revoked_at)}
            for field_name in changed:
                setattr(row, field_name, wanted[field_name])
            row.save(update_fields=changed)
            audit_record(
                actor=actor,
                action="platform_key.restored",
                obj=row,
                before=before,
                after={"platform_id": platform_id, "scopes": granted},
            )
        return row, False


def platform_key_revoke(*, actor: User, key: PlatformApiKey) -> None:
    with transaction.atomic():
        if PlatformApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        ):
            audit_record(actor=actor, action="platform_key.revoked", obj=key)


class PlatformKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[AnonymousUser, PlatformApiKey] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer" or not parts[1].startswith(PREFIX.encode()):
            return None
        key = parts[1].decode("ascii", errors="replace")
        prefix = key[len(PREFIX) :].split("_", 1)[0]
        row = PlatformApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
        if row is None or not hmac.compare_digest(row.key_hash, _digest(key)):
            raise exceptions.AuthenticationFailed(_("This platform key is not valid."))
        PlatformApiKey.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        return AnonymousUser(), row

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class IsPlatform(BasePermission):
    """A platform key, carrying the view's ``required_scope`` (403 ``scope_missing`` otherwise)."""

    message = gettext_lazy("This platform key does not have the scope this call needs.")
    code = "scope_missing"

    def has_permission(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, PlatformApiKey):
            return False
        scope = getattr(view, "required_scope", None)
        if scope is None:  # every platform view names its scope; a view that forgot gets nothing
            return False
        return key.has_scope(scope)


def request_key(request: Request) -> PlatformApiKey:
    return cast(PlatformApiKey, request.auth)


class EndpointIn(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=list(webhooks.EVENTS)), required=False, default=list
    )
    description = serializers.CharField(max_length=200, required=False, default="")


class EndpointOut(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "description", "enabled", "disabled_reason", "created_at"]


class PlatformKeyThrottle(ScopedRateThrottle):
    """Counts per platform key, not per client address: platforms behind one gateway do not share a
    budget, and the anonymous-visitor rate does not apply to a platform's systems."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        key = request.auth
        if not isinstance(key, PlatformApiKey):
            return super().get_cache_key(request, view)
        return self.cache_format % {"scope": self.scope, "ident": f"platform-key-{key.pk}"}


class PlatformView(APIView):
    """Base of every ``/api/v1/platform/…`` view: a platform key holding the view's ``required_scope``."""

    authentication_classes = [PlatformKeyAuthentication]
    permission_classes = [IsPlatform]
    throttle_classes = [PlatformKeyThrottle]
    throttle_scope = "platform"
    required_scope: str | None = None


class _PlatformView(PlatformView):
    required_scope = "webhooks"

    def endpoints(self) -> Any:
        key = cast(PlatformApiKey, self.request.auth)
        return WebhookEndpoint.objects.filter(platform_id=key.platform_id).order_by("id")


_ENDPOINT_EXAMPLE = {
    "id": 3,
    "url": "https://hooks.xingyunka.cn/claimdesk",
    "events": ["claim.filed", "claim.resolved"],
    "description": "工单系统",
    "enabled": True,
    "disabled_reason": "",
    "created_at": "2026-12-01T10:00:00+08:00",
}


class PlatformWebhooksView(_PlatformView):
    @extend_schema(
        responses=EndpointOut(many=True),
        tags=["platform"],
        examples=[OpenApiExample("Endpoints", value=[_ENDPOINT_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        return Response(EndpointOut(self.endpoints(), many=True).data)

    @extend_schema(
        request=EndpointIn,
        responses={201: EndpointOut},
        tags=["platform"],
        examples=[
            OpenApiExample(
                "Created (the secret is shown once)",
                value={**_ENDPOINT_EXAMPLE, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
                response_only=True,
                status_codes=["201"],
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = EndpointIn(data=request.data)
        data.is_valid(raise_exception=True)
        key = cast(PlatformApiKey, request.auth)
        endpoint = webhooks.webhook_endpoint_create(
            actor=None, platform_id=key.platform_id, **data.validated_data
        )
        body = dict(EndpointOut(endpoint).data)
        body["secret"] = endpoint.secret  # shown once, to the platform itself
        return Response(body, status=status.HTTP_201_CREATED)


class PlatformWebhookDetailView(_PlatformView):
    @extend_schema(
        responses={200: EndpointOut},
        tags=["platform"],
        examples=[
            OpenApiExample(
                "Switched off",
                value={
                    **_ENDPOINT_EXAMPLE,
                    "enabled": False,
                    "disabled_reason": "Switched off by the platform.",
                },
                response_only=True,
            )
        ],
    )
    def delete(self, request: Request, endpoint_id: int) -> Response:
        endpoint = self.endpoints().filter(pk=endpoint_id).first()
        if endpoint is None:
            raise exceptions.NotFound()
        webhooks.webhook_endpoint_set_enabled(
            actor=None, endpoint=endpoint, enabled=False, reason=gettext_noop("Switched off by the platform.")
        )
        endpoint.refresh_from_db()
        return Response(EndpointOut(endpoint).data)
