"""Claims API for customers: ``/api/v1/claims/``. Every queryset is scoped to the signed-in customer, so
another customer's reference answers 404 like one that does not exist."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from helpdesk.api.errors import error_body
from helpdesk.api.idempotency import HEADER, idempotent, request_fingerprint
from helpdesk.api.parsers import JSONObjectParser
from helpdesk.models import User
from tickets.api.serializers import (
    ClaimCreateSerializer,
    ClaimDetailSerializer,
    ClaimListSerializer,
    EvidenceUploadSerializer,
    RatingSerializer,
    ReasonSerializer,
    ReopenSerializer,
    ReplySerializer,
)
from tickets.claims import selectors, services
from tickets.claims.notices import masking_messages
from tickets.evidence.selectors import claim_evidence
from tickets.evidence.serving import serve_evidence
from tickets.evidence.uploads import clean_files
from tickets.models import Claim, Evidence


class IsCustomer(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and not cast(User, user).is_staff_role)


class ClaimCreateThrottle(UserRateThrottle):
    """Filing is rate-limited per account; reading and answering are not."""

    scope = "claims"

    def allow_request(self, request: Request, view: Any) -> bool:
        if getattr(view, "action", None) != "create":
            return True
        return super().allow_request(request, view)


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (e.g. a UUID). Retrying with the same key and body returns the same claim; "
        "the same key with another body answers 422."
    ),
)

CLAIM_EXAMPLE = {
    "platform": "xingyun",
    "problem_type": "topup-not-credited",
    "order_number": "20240520001",
    "product": "100元游戏点卡",
    "amount": "100.00",
    "currency": "CNY",
    "payment_channel": "alipay",
    "paid_at": "2026-05-20T14:30:00+08:00",
    "transaction_id": "2026052022001400001234567890",
    "description": "5月20日14:30购买100元游戏点卡，已付款，30分钟后仍未到账，订单显示“处理中”，刷新了3次。",
    "desired_outcome": "reissue",
    "contact_phone": "13800138000",
    "preferred_contact": "phone",
}


CLAIM_SUMMARY_EXAMPLE = {
    "reference": "XY-20261122-7K3Q9M",
    "subject": "20240520001-充值未到账-紧急",
    "status": "new",
    "platform": "xingyun",
    "problem_type": "topup-not-credited",
    "order_number": "20240520001",
    "amount": "100.00",
    "currency": "CNY",
    "late_filed": False,
    "created_at": "2026-11-22T14:35:00+08:00",
    "updated_at": "2026-11-22T14:35:00+08:00",
}
CLAIM_DETAIL_EXAMPLE = {
    **CLAIM_SUMMARY_EXAMPLE,
    "product": "100元游戏点卡",
    "payment_channel": "alipay",
    "paid_at": "2026-11-22T14:30:00+08:00",
    "transaction_id": "2026112222001400001234567890",
    "access_lost_at": None,
    "description": "11月22日14:30购买100元游戏点卡，已付款，30分钟后仍未到账，订单显示“处理中”。",
    "desired_outcome": "reissue",
    "contact_phone": "+8613800138000",
    "preferred_contact": "phone",
    "masked": [],
    "first_response_due_at": None,
    "resolution_due_at": None,
    "resolved_at": None,
    "rating": None,
    "rating_comment": "",
    "timeline": [
        {
            "id": 1,
            "kind": "filed",
            "by": "",
            "body": "",
            "data": {},
            "created_at": "2026-11-22T14:35:00+08:00",
        }
    ],
    "evidence": [
        {
            "id": 7,
            "original_name": "订单截图.png",
            "content_type": "image/png",
            "size": 183204,
            "sha256": "9f2c0c1d6b1e4a5c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
            "created_at": "2026-11-22T14:35:00+08:00",
            "url": "/api/v1/claims/XY-20261122-7K3Q9M/evidence/7/",
        }
    ],
}
DETAIL_EXAMPLE = OpenApiExample("Claim", value=CLAIM_DETAIL_EXAMPLE, response_only=True)


@extend_schema_view(
    list=extend_schema(
        summary="Your claims, newest first",
        examples=[OpenApiExample("Claims", value=CLAIM_SUMMARY_EXAMPLE, response_only=True)],
        tags=["claims"],
    ),
    retrieve=extend_schema(
        summary="One of your claims with its timeline and evidence",
        examples=[DETAIL_EXAMPLE],
        tags=["claims"],
    ),
)
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsCustomer]
    throttle_classes = [ClaimCreateThrottle]
    lookup_field = "reference"
    lookup_value_regex = "[A-Za-z0-9-]+"
    parser_classes = [JSONObjectParser, MultiPartParser, FormParser]
    queryset = Claim.objects.none()

    def get_queryset(self) -> QuerySet[Claim]:
        return selectors.claims_for_customer(customer=cast(User, self.request.user))

    def get_serializer_class(self) -> Any:
        return ClaimListSerializer if self.action == "list" else ClaimDetailSerializer

    def get_object(self) -> Claim:
        return selectors.claim_for_customer(
            customer=cast(User, self.request.user), reference=self.kwargs["reference"]
        )

    def _detail(
        self,
        claim: Claim,
        status_code: int = 200,
        *,
        events: list[Any] | None = None,
        evidence: list[Any] | None = None,
        **extra: Any,
    ) -> Response:
        context = {
            "request": self.request,
            "events": selectors.public_timeline(claim) if events is None else events,
            "evidence": claim_evidence(claim) if evidence is None else evidence,
        }
        data = dict(ClaimDetailSerializer(claim, context=context).data)
        data.update(extra)
        return Response(data, status=status_code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    @extend_schema(
        summary="File a claim",
        description=(
            "JSON, or multipart/form-data with up to 10 `evidence` files. Refused files come back in "
            "`rejected_evidence` with a reason; the claim is filed with the others. Sensitive data in the "
            "text is masked and listed in `masked`. An open claim for the same order answers 409 with its "
            "reference."
        ),
        request={"application/json": ClaimCreateSerializer, "multipart/form-data": ClaimCreateSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: ClaimDetailSerializer,
            400: OpenApiResponse(description="Invalid fields"),
            409: OpenApiResponse(description="An open claim for this order exists"),
            422: OpenApiResponse(description="Idempotency-Key reused with another body"),
        },
        examples=[
            OpenApiExample("Top-up not credited", value=CLAIM_EXAMPLE, request_only=True),
            OpenApiExample(
                "Filed",
                value={**CLAIM_DETAIL_EXAMPLE, "rejected_evidence": [], "notices": []},
                response_only=True,
                status_codes=["201"],
            ),
        ],
        tags=["claims"],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if HEADER not in request.headers:
            return self._create(request)  # no key: no need to digest the body and its files
        fingerprint = request_fingerprint(cast(Mapping[str, Any], request.data), request.FILES)
        return idempotent(
            request, scope="claims.create", fingerprint=fingerprint, handler=lambda: self._create(request)
        )

    def _create(self, request: Request) -> Response:
        body = cast(Mapping[str, Any], request.data)
        data = {key: body[key] for key in body if key != "evidence"}
        serializer = ClaimCreateSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        customer = cast(User, request.user)
        accepted, rejected = clean_files(request.FILES.getlist("evidence"), _max_files())
        claim_input = services.ClaimInput(**serializer.validated_data)
        try:
            claim = services.claim_create(customer=customer, data=claim_input, evidence=accepted)
        except services.DuplicateOpenClaim as exc:
            body = error_body(
                "duplicate_open_claim",
                _("You already have an open claim for this order (%(reference)s).")
                % {"reference": exc.claim.reference},
            )
            body["error"]["reference"] = exc.claim.reference
            return Response(body, status=status.HTTP_409_CONFLICT)
        response = self._detail(
            claim,
            status.HTTP_201_CREATED,
            events=claim.created_events,  # type: ignore[attr-defined]
            evidence=claim.created_evidence,  # type: ignore[attr-defined]
            rejected_evidence=[{"name": name, "reason": reason} for name, reason in rejected],
            notices=masking_messages(claim.redacted_kinds),
        )
        response["Location"] = f"/api/v1/claims/{claim.reference}/"
        return response

    def _act(self, request: Request, serializer_class: Any, run: Any) -> Response:
        claim = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        run(claim, cast(User, request.user), serializer.validated_data)
        return self._detail(
            selectors.claim_for_customer(customer=cast(User, request.user), reference=claim.reference)
        )

    @extend_schema(
        summary="Write on your claim",
        request=ReplySerializer,
        responses={200: ClaimDetailSerializer},
        examples=[DETAIL_EXAMPLE],
        tags=["claims"],
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, reference: str) -> Response:
        return self._act(
            request, ReplySerializer, lambda c, u, d: services.claim_reply(claim=c, author=u, body=d["body"])
        )

    @extend_schema(
        summary="Add evidence files",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={200: ClaimDetailSerializer},
        examples=[DETAIL_EXAMPLE],
        tags=["claims"],
    )
    @action(detail=True, methods=["post"])
    def evidence(self, request: Request, reference: str) -> Response:
        claim = self.get_object()
        files = request.FILES.getlist("evidence")
        if not files:
            raise ValidationError({"evidence": [_("Choose at least one file.")]})
        room = max(_max_files() - Evidence.objects.filter(claim=claim).count(), 0)
        accepted, rejected = clean_files(files, room)
        if accepted:
            services.claim_add_evidence(claim=claim, actor=cast(User, request.user), files=accepted)
        elif rejected:
            raise ValidationError({"evidence": [f"{name}: {reason}" for name, reason in rejected]})
        claim = selectors.claim_for_customer(customer=cast(User, request.user), reference=claim.reference)
        return self._detail(claim, rejected_evidence=[{"name": n, "reason": r} for n, r in rejected])

    @extend_schema(
        summary="Download one evidence file (attachment, nosniff)",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="The file, as an attachment",
                examples=[OpenApiExample("File", value="(binary)", response_only=True)],
            )
        },
        tags=["claims"],
    )
    @action(detail=True, methods=["get"], url_path=r"evidence/(?P<evidence_id>[0-9]+)")
    def evidence_file(self, request: Request, reference: str, evidence_id: str) -> HttpResponseBase:
        return serve_evidence(
            claim=self.get_object(), evidence_id=int(evidence_id), not_ready=_evidence_not_ready
        )

    @extend_schema(
        summary="Withdraw your claim",
        request=ReasonSerializer,
        responses={200: ClaimDetailSerializer},
        examples=[DETAIL_EXAMPLE],
        tags=["claims"],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, reference: str) -> Response:
        return self._act(
            request,
            ReasonSerializer,
            lambda c, u, d: services.claim_withdraw(claim=c, actor=u, reason=d["reason"]),
        )

    @extend_schema(
        summary="Confirm the problem is solved",
        request=None,
        responses={200: ClaimDetailSerializer},
        examples=[DETAIL_EXAMPLE],
        tags=["claims"],
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, reference: str) -> Response:
        claim = self.get_object()
        services.claim_confirm_resolved(claim=claim, actor=cast(User, request.user))
        return self._detail(
            selectors.claim_for_customer(customer=cast(User, request.user), reference=reference)
        )

    @extend_schema(
        summary="Reopen within the reopen window",
        request=ReopenSerializer,
        responses={200: ClaimDetailSerializer},
        examples=[DETAIL_EXAMPLE],
        tags=["claims"],
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, reference: str) -> Response:
        return self._act(
            request,
            ReopenSerializer,
            lambda c, u, d: services.claim_reopen(claim=c, actor=u, reason=d["reason"]),
        )

    @extend_schema(
        summary="Rate a resolved claim (1-5)",
        request=RatingSerializer,
        responses={200: ClaimDetailSerializer},
        examples=[DETAIL_EXAMPLE],
        tags=["claims"],
    )
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, reference: str) -> Response:
        return self._act(
            request,
            RatingSerializer,
            lambda c, u, d: services.claim_rate(claim=c, actor=u, rating=d["rating"], comment=d["comment"]),
        )


def _evidence_not_ready() -> Response:
    return Response(
        error_body("evidence_not_ready", _("This file is still being checked; try again in a few seconds.")),
        status=status.HTTP_409_CONFLICT,
        headers={"Retry-After": "5"},
    )


def _max_files() -> int:
    from django.conf import settings

    return int(settings.EVIDENCE_MAX_FILES)
