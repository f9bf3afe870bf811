"""GET /api/v1/help/search/?q=…&platform=<slug>: published help articles, best first, in the request's
language (Accept-Language)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.models import Platform
from helpcentre import selectors
from helpcentre.api.serializers import SearchInputSerializer, SearchOutputSerializer
from helpcentre.models import current_language
from helpdesk.api.errors import error_body


class HelpSearchView(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "checker"

    @extend_schema(
        tags=["help"],
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description="What the user typed (at most 200 characters)."
            ),
            OpenApiParameter("platform", str, required=False, description="A platform's slug."),
        ],
        responses={200: SearchOutputSerializer},
        examples=[
            OpenApiExample(
                "Colloquial Chinese, one platform",
                response_only=True,
                status_codes=["200"],
                value={
                    "query": "钱扣了没到账",
                    "results": [
                        {
                            "slug": "xingyun-topup-not-credited",
                            "title": "星云卡盟：钱扣了但充值没到账怎么办",
                            "snippet": "先别着急，钱一般不会丢。大多数充值几分钟内到账…",
                            "platform": "xingyun",
                            "problem_type": "topup-not-credited",
                            "url": "/help/xingyun-topup-not-credited/",
                            "score": 14.2,
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        incoming = SearchInputSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        platform = None
        slug = incoming.validated_data.get("platform") or ""
        if slug:
            platform = Platform.objects.filter(slug=slug).first()
            if platform is None:
                message = str(_("No platform with this code."))
                return Response(
                    error_body("unknown_platform", message, {"platform": [message]}),
                    status=status.HTTP_400_BAD_REQUEST,
                )
        query = incoming.validated_data["q"]
        hits = selectors.search(query=query, language=current_language(), platform=platform)
        return Response(
            {
                "query": query,
                "results": [
                    {
                        "slug": hit.slug,
                        "title": hit.title,
                        "snippet": hit.snippet,
                        "platform": hit.platform_slug,
                        "problem_type": hit.problem_type_slug,
                        "url": reverse("helpcentre:article", args=[hit.slug]),
                        "score": hit.score,
                    }
                    for hit in hits
                ],
            }
        )
