"""The platform API (events in, claims and outcomes) and the customer's outreach list. Thin: parse, call
one service or selector, answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api.errors import error_body
from helpdesk.api.idempotency import HEADER, idempotent, request_fingerprint
from helpdesk.api.pagination import MAX_PAGE_SIZE
from helpdesk.api.parsers import JSONObjectOrListParser, JSONObjectParser
from helpdesk.api.platform_keys import PlatformView, request_key
from helpdesk.models import User
from helpdesk.params import read_int
from integrations import selectors, services
from integrations.api.serializers import (
    EventIn,
    EventsAcceptedOut,
    OutcomeIn,
    OutreachOut,
    PlatformClaimOut,
    PlatformClaimPageOut,
)
from integrations.validation import MAX_BATCH

_EVENT_EXAMPLE = {
    "id": "evt_20261202_000123",
    "type": "topup.failed",
    "occurred_at": "2026-12-02T14:30:00+08:00",
    "customer": {"email": "customer@demo.claimdesk.cn", "phone": "13800138000"},
    "order": {
        "number": "XY202612020001",
        "amount": "100.00",
        "currency": "CNY",
        "product": "100元游戏点卡",
        "status": "paid",
        "paid_at": "2026-12-02T14:29:40+08:00",
        "merchant": "星云数码旗舰店",
    },
}
_CLAIM_EXAMPLE = {
    "reference": "XY-20261202-7K3Q9M",
    "order_number": "XY202612020001",
    "problem_type": "topup-not-credited",
    "amount": "100.00",
    "currency": "CNY",
    "status": "open",
    "created_at": "2026-12-02T14:35:00+08:00",
    "first_response_due_at": "2026-12-02T14:50:00+08:00",
    "resolution_due_at": "2026-12-03T14:35:00+08:00",
    "platform_facts": {
        "amount": "100.00",
        "currency": "CNY",
        "product": "100元游戏点卡",
        "status": "paid",
        "paid_at": "2026-12-02T14:29:40+08:00",
        "merchant": "星云数码旗舰店",
        "last_event_type": "topup.failed",
        "last_event_at": "2026-12-02T14:30:00+08:00",
        "topup_failed_at": "2026-12-02T14:30:00+08:00",
        "delivered_at": None,
    },
}


class PlatformEventsView(PlatformView):
    required_scope = "events:write"
    throttle_scope = "platform_events"  # batches of up to 500: its own, larger budget per key
    parser_classes = [JSONObjectOrListParser]

    @extend_schema(
        operation_id="platform_events_create",
        summary="Send order and top-up events (one object or a list of up to 500)",
        description=(
            "The body is one event object or a list of up to 500 (JSON). "
            "Idempotent per platform and event `id`: a resent event counts as a duplicate. Invalid items are "
            "reported by index; the valid ones are kept. Needs the `events:write` scope."
        ),
        request=EventIn(many=True),
        responses={
            202: EventsAcceptedOut,
            400: OpenApiResponse(description="Not an event object or list, or more than 500 items."),
            403: OpenApiResponse(description="The key lacks the `events:write` scope."),
        },
        tags=["platform"],
        examples=[
            # Shown as a list of one (the schema's list); a single object is accepted too.
            OpenApiExample("A failed top-up", value=_EVENT_EXAMPLE, request_only=True),
            OpenApiExample(
                "One accepted, one duplicate, one invalid",
                value={
                    "accepted": 1,
                    "duplicates": 1,
                    "errors": [
                        {
                            "index": 2,
                            "error": {
                                "code": "invalid",
                                "message": "This event is not valid.",
                                "fields": {"occurred_at": ["This field is required."]},
                            },
                        }
                    ],
                },
                response_only=True,
                status_codes=["202"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, list | dict) or request.data == {}:
            raise exceptions.ValidationError(_("Send one event object or a list of events."))
        items = request.data if isinstance(request.data, list) else [request.data]
        try:
            result = services.events_ingest(key=request_key(request), items=items)
        except services.BatchTooLarge:
            return Response(
                error_body("too_many", _("Send at most %(count)d events at once.") % {"count": MAX_BATCH}),
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(result.as_response(), status=status.HTTP_202_ACCEPTED)


class PlatformClaimsView(PlatformView):
    required_scope = "claims:read"

    @extend_schema(
        operation_id="platform_claims_list",
        summary="The platform's own claims, newest first (keyset pages)",
        description=(
            "Nothing about the customer's contact. `status` filters (one or more, comma-separated: "
            "`new`, `open`, `waiting_on_customer`, `waiting_on_platform`, `resolved`, `closed`, `rejected`, "
            "`withdrawn`); follow `next` (or pass `cursor=next_cursor`) for the next page. "
            "Needs the `claims:read` scope."
        ),
        parameters=[
            OpenApiParameter("status", str, description="e.g. `open` or `new,open`"),
            OpenApiParameter("cursor", str, description="`next_cursor` of the previous page"),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                description=f"1-{MAX_PAGE_SIZE}, default 50",
            ),
        ],
        responses={200: PlatformClaimPageOut},
        tags=["platform"],
        examples=[
            OpenApiExample(
                "A page",
                value={"results": [_CLAIM_EXAMPLE], "next_cursor": None, "next": None},
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        statuses = [s for s in request.query_params.get("status", "").split(",") if s.strip()]
        unknown = [s for s in statuses if s not in selectors.VALID_STATUSES]
        if unknown:
            raise exceptions.ValidationError(
                {"status": [_("Unknown status: %(status)s.") % {"status": unknown[0]}]}
            )
        after = None
        cursor = request.query_params.get("cursor", "")
        if cursor:
            after = selectors.decode_cursor(cursor)
            if after is None:
                raise exceptions.ValidationError({"cursor": [_("This cursor is not valid.")]})
        size = read_int(request.query_params, "limit", default=50, minimum=1, maximum=MAX_PAGE_SIZE) or 50
        rows, more = services.platform_claims_read(
            key=request_key(request), statuses=statuses, after=after, size=size
        )
        next_cursor = selectors.encode_cursor(rows[-1]) if more and rows else None
        next_url = None
        if next_cursor:
            query = {
                "cursor": next_cursor,
                "limit": size,
                **({"status": ",".join(statuses)} if statuses else {}),
            }
            next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        return Response(
            {"results": PlatformClaimOut(rows, many=True).data, "next_cursor": next_cursor, "next": next_url}
        )


class PlatformClaimOutcomeView(PlatformView):
    required_scope = "claims:write"
    parser_classes = [JSONObjectParser]

    @extend_schema(
        operation_id="platform_claim_outcome",
        summary="Record the platform's outcome on one of its claims",
        description=(
            'Writes a "platform outcome" timeline entry the customer and the agents see. `refunded` and '
            "`reissued` resolve the claim (the customer is asked to confirm and may reopen within the "
            "window); "
            "`rejected` sends it back to its team with the reason; `need_info` puts it in "
            "`waiting_on_customer` with the platform's question. Another platform's reference is 404; a "
            "claim no longer open is 409. Send an `Idempotency-Key` header to retry safely: the same key "
            "and body replay the first answer. Needs the `claims:write` scope."
        ),
        request=OutcomeIn,
        responses={
            200: PlatformClaimOut,
            404: OpenApiResponse(description="No such claim for this platform."),
            409: OpenApiResponse(description="The claim is already resolved or finished."),
        },
        tags=["platform"],
        examples=[
            OpenApiExample(
                "Refunded",
                value={
                    "outcome": "refunded",
                    "message": "已原路退款100元，1-3个工作日到账。",
                    "amount": "100.00",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Need information",
                value={"outcome": "need_info", "message": "请提供支付宝交易单号的截图。"},
                request_only=True,
            ),
            OpenApiExample("Resolved", value={**_CLAIM_EXAMPLE, "status": "resolved"}, response_only=True),
        ],
    )
    def post(self, request: Request, reference: str) -> Response:
        if HEADER not in request.headers:
            return self._record(request, reference)
        # A retried call with the same Idempotency-Key replays the first answer instead of a 409.
        key = request_key(request)
        return idempotent(
            request,
            scope=f"platform.outcome:{key.pk}:{reference.strip().upper()}",
            fingerprint=request_fingerprint(cast(Mapping[str, Any], request.data)),
            handler=lambda: self._record(request, reference),
        )

    def _record(self, request: Request, reference: str) -> Response:
        data = OutcomeIn(data=request.data)
        data.is_valid(raise_exception=True)
        key = request_key(request)
        try:
            claim = services.claim_platform_outcome(key=key, reference=reference, **data.validated_data)
        except services.ClaimNotOpen as exc:
            body = error_body(
                "claim_not_open",
                _("This claim is no longer open; its status is %(status)s.") % {"status": exc.claim.status},
            )
            return Response(body, status=status.HTTP_409_CONFLICT)
        claim.platform_fact = selectors.order_fact_for(  # type: ignore[attr-defined]
            platform_id=claim.platform_id, order_number=claim.order_number
        )
        return Response(PlatformClaimOut(claim).data)


class OutreachListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="outreach_list",
        summary="Your proactive outreaches (after repeated failed top-ups)",
        description="Each with its platform, time, the failed orders and the link to the pre-filled claim.",
        responses={200: OutreachOut(many=True)},
        tags=["outreach"],
        examples=[
            OpenApiExample(
                "One outreach",
                value=[
                    {
                        "id": 7,
                        "platform": {"slug": "xingyun", "name": "星云卡盟"},
                        "at": "2026-12-02T14:40:00+08:00",
                        "window_start": "2026-12-02T14:10:00+08:00",
                        "window_end": "2026-12-02T15:10:00+08:00",
                        "orders": [
                            {
                                "number": "XY202612020001",
                                "amount": "100.00",
                                "currency": "CNY",
                                "failed_at": "2026-12-02T14:10:00+08:00",
                            }
                        ],
                        "claim_url": "/claims/new/?platform=1&problem_type=2&order_number=XY202612020001",
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        rows = selectors.outreaches_for_customer(customer=user)
        context: dict[str, Any] = {
            "language": user.language,
            "problem_type_id": services.topup_problem_type_id(),
        }
        return Response(OutreachOut(rows, many=True, context=context).data)
