"""Insights API: the public platform scorecard and the person's request for a copy of their data."""

from __future__ import annotations

from typing import cast

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.models import Platform, PlatformStatus
from helpdesk.api.platform_keys import IsPlatform, PlatformKeyAuthentication
from helpdesk.models import PlatformApiKey, User
from insights.api.serializers import (
    DataExportSerializer,
    ScorecardResponseIn,
    ScorecardResponseSerializer,
    ScorecardSerializer,
)
from insights.privacy import data_export_request
from insights.scorecards import scorecard_for, scorecard_response_add

SCORECARD_EXAMPLE = {
    "platform": "xingyun",
    "period_start": "2026-09-04",
    "period_end": "2026-12-02",
    "minimum_claims": 20,
    "claims": 134,
    "median_first_response_hours": 2.5,
    "resolved_within_promise_percent": 87,
    "csat": 4.2,
    "top_problem_types": [
        {
            "slug": "topup-not-credited",
            "name_zh": "充值未到账",
            "name_en": "Top-up not credited",
            "claims": 71,
        }
    ],
    "computed_at": "2026-12-02T06:15:00+08:00",
    "responses": [
        {"quarter": "2026-Q4", "body": "我们已增加夜间客服。", "created_at": "2026-11-20T10:00:00+08:00"}
    ],
}


class ScorecardView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: ScorecardSerializer},
        examples=[OpenApiExample("Scorecard", value=SCORECARD_EXAMPLE, response_only=True)],
        tags=["directory"],
    )
    def get(self, request: Request, slug: str) -> Response:
        """A platform's public scorecard over the last 90 days (the figures of /platforms/<slug>/scorecard/);
        a figure is null where fewer than ``minimum_claims`` claims back it."""
        platform = get_object_or_404(Platform.objects.exclude(status=PlatformStatus.CLOSED), slug=slug)
        return Response(ScorecardSerializer(scorecard_for(platform).as_json()).data)


class MyDataExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={202: DataExportSerializer},
        examples=[
            OpenApiExample(
                "Being prepared",
                value={"id": 7, "status": "pending", "created_at": "2026-12-02T14:00:00+08:00"},
                response_only=True,
                status_codes=["202"],
            )
        ],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        """Ask for a copy of everything ClaimDesk holds about you (JSON + your evidence files, zipped).

        A worker builds it; you are notified, and account settings (/accounts/privacy/) offer the download
        through a signed link for 24 hours. Asking again while one is being prepared returns that one."""
        export = data_export_request(user=cast(User, request.user))
        return Response(
            DataExportSerializer(
                {"id": export.pk, "status": export.status, "created_at": export.created_at}
            ).data,
            status=status.HTTP_202_ACCEPTED,
        )


class PlatformScorecardResponseView(APIView):
    authentication_classes = [PlatformKeyAuthentication]
    permission_classes = [IsPlatform]
    # The platform's public answer to its claims' figures: written with the scope that answers claims.
    required_scope = "claims:write"

    @extend_schema(
        request=ScorecardResponseIn,
        responses={201: ScorecardResponseSerializer},
        examples=[
            OpenApiExample("Response", value={"body": "我们已增加夜间客服。"}, request_only=True),
            OpenApiExample(
                "Published",
                value={
                    "quarter": "2026-Q4",
                    "body": "我们已增加夜间客服。",
                    "created_at": "2026-11-20T10:00:00+08:00",
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
        tags=["platform"],
    )
    def post(self, request: Request) -> Response:
        """The platform's public response to its scorecard, one per quarter (409 when already given)."""
        from django.core.exceptions import ValidationError
        from rest_framework import exceptions

        data = ScorecardResponseIn(data=request.data)
        data.is_valid(raise_exception=True)
        key = cast(PlatformApiKey, request.auth)
        platform = get_object_or_404(Platform, pk=key.platform_id)
        try:
            response = scorecard_response_add(
                platform=platform, body=data.validated_data["body"], platform_key=key
            )
        except ValidationError as exc:
            if exc.code == "one_per_quarter":
                conflict = exceptions.APIException(" ".join(exc.messages))
                conflict.status_code = status.HTTP_409_CONFLICT
                raise conflict from None
            raise exceptions.ValidationError({"body": exc.messages}) from None
        return Response(
            ScorecardResponseSerializer(
                {"quarter": response.quarter, "body": response.body, "created_at": response.created_at}
            ).data,
            status=status.HTTP_201_CREATED,
        )
