"""Directory API: public reads of platforms and channels; directory-admin writes through the services."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts import checker, http_cache, selectors, services
from contacts.api import examples
from contacts.api import serializers as s
from contacts.checker import present
from contacts.checker.cached import check_json
from contacts.models import (
    ChannelProposal,
    ContactChannel,
    DomainProposal,
    DomainProposalKind,
    Platform,
    PlatformStatus,
)
from helpdesk.api.errors import error_body
from helpdesk.api.idempotency import HEADER, idempotent, request_fingerprint
from helpdesk.api.parsers import JSONObjectParser
from helpdesk.models import User


class IsDirectoryAdmin(BasePermission):
    message = _("Only directory admins can change the directory.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "is_directory_admin", False))


def _call(func: Any, **kwargs: Any) -> Any:
    """Run a service; its PermissionDenied keeps its message (the two-person rule explains itself)."""
    try:
        return func(**kwargs)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc


@extend_schema(tags=["directory"])
class PlatformViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Platforms in the directory. Search with ``q`` (name, alias or pinyin)."""

    permission_classes = [AllowAny]
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Platform]:
        if self.action == "retrieve":
            return Platform.objects.prefetch_related(
                "domains",
                Prefetch("channels", queryset=selectors.public_channels(), to_attr="public_channels"),
            )
        return Platform.objects.exclude(status=PlatformStatus.CLOSED).order_by("name", "id")

    def get_serializer_class(self) -> Any:
        return s.PlatformDetailSerializer if self.action == "retrieve" else s.PlatformListSerializer

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Name, alias or pinyin.")],
        examples=examples.platform_list,
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = request.query_params.get("q", "")
        if query:
            # Search results are pages too, so ``limit`` and ``offset`` mean the same (and are checked) here.
            page = self.paginate_queryset(list(selectors.platform_search(query=query)))
            return self.get_paginated_response(s.PlatformListSerializer(page, many=True).data)
        return super().list(request, *args, **kwargs)

    @extend_schema(examples=examples.platform_detail)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["directory"])
class ChannelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Published and retired channels (suspended and unapproved ones are never public)."""

    permission_classes = [AllowAny]
    serializer_class = s.ChannelSerializer

    def get_queryset(self) -> QuerySet[ContactChannel]:
        queryset = selectors.public_channels().select_related("platform")
        platform = self.request.query_params.get("platform")
        if platform:
            queryset = queryset.filter(platform__slug=platform)
        return queryset.order_by("platform_id", "sort_order", "id")

    @extend_schema(
        parameters=[OpenApiParameter("platform", str, description="Only this platform (slug).")],
        examples=examples.channel_list,
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(examples=examples.channel)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)


class _ProposalReview(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The review flow both kinds of proposal share (channels; domains and websites): the directory
    admins' list by status, one proposal, and a second admin's rejection. Each kind adds how it is
    proposed and what approving it makes."""

    permission_classes = [IsDirectoryAdmin]
    model: type[ChannelProposal] | type[DomainProposal]
    reject_service: Any

    def get_queryset(self) -> QuerySet[Any]:
        queryset = self.model.objects.select_related("platform", "proposed_by", "decided_by").order_by(
            "-proposed_at", "-id"
        )
        wanted = self.request.query_params.get("status")
        return queryset.filter(status=wanted) if wanted else queryset

    def _proposal_response(self, proposal: ChannelProposal | DomainProposal) -> Response:
        return Response(self.get_serializer_class()(self.get_queryset().get(pk=proposal.pk)).data)

    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        data = s.DirectoryReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = _call(
            type(self).reject_service,
            actor=cast(User, request.user),
            proposal=self.get_object(),
            reason=data.validated_data["reason"],
        )
        return self._proposal_response(proposal)


def _review_schema(serializer: Any, example: Any) -> Any:
    """The OpenAPI description of a review flow's shared actions for one kind of proposal."""
    return extend_schema_view(
        list=extend_schema(
            parameters=[
                OpenApiParameter("status", str, enum=["pending", "approved", "rejected", "withdrawn"])
            ],
            examples=example,
        ),
        retrieve=extend_schema(examples=example),
        reject=extend_schema(
            request=s.DirectoryReasonSerializer, responses={200: serializer}, examples=example
        ),
    )


@extend_schema(tags=["directory admin"])
@_review_schema(s.ProposalSerializer, examples.proposal)
class ProposalViewSet(_ProposalReview):
    """Proposals of new or changed channels; a second directory admin approves them."""

    serializer_class = s.ProposalSerializer
    model = ChannelProposal
    reject_service = staticmethod(services.proposal_reject)

    @extend_schema(
        request=s.ProposalInputSerializer,
        responses={201: s.ProposalSerializer},
        examples=[*examples.proposal_input, *examples.proposal],
        parameters=[
            OpenApiParameter(
                HEADER,
                str,
                OpenApiParameter.HEADER,
                description="Optional. A retried request with the same key and body is answered once.",
            )
        ],
    )
    def create(self, request: Request) -> Response:
        return idempotent(
            request,
            scope="contacts.proposal_create",
            fingerprint=request_fingerprint(request.data if isinstance(request.data, dict) else {}),
            handler=lambda: self._create(request),
        )

    def _create(self, request: Request) -> Response:
        data = s.ProposalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        platform = get_object_or_404(Platform, slug=data.validated_data["platform"])
        channel = None
        if data.validated_data.get("channel"):
            channel = get_object_or_404(ContactChannel, pk=data.validated_data["channel"], platform=platform)
        proposal = _call(
            services.channel_propose,
            actor=cast(User, request.user),
            platform=platform,
            channel=channel,
            draft=data.draft(),
            note=data.validated_data["note"],
            evidence=[services.EvidenceInput(**item) for item in data.validated_data["evidence"]],
        )
        return Response(s.ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ApproveSerializer, responses={200: s.ChannelSerializer}, examples=examples.channel
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        data = s.ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        channel = _call(
            services.proposal_approve,
            actor=cast(User, request.user),
            proposal=self.get_object(),
            fingerprint=data.validated_data["fingerprint"],
        )
        channel = selectors.public_channels().get(pk=channel.pk)
        return Response(s.ChannelSerializer(channel).data)


@extend_schema(tags=["directory admin"])
@_review_schema(s.DomainProposalSerializer, examples.domain_proposal)
class DomainProposalViewSet(_ProposalReview):
    """Proposed official domains and websites; a second directory admin approves them."""

    serializer_class = s.DomainProposalSerializer
    model = DomainProposal
    reject_service = staticmethod(services.domain_proposal_reject)

    @extend_schema(
        request=s.DomainProposalInputSerializer,
        responses={201: s.DomainProposalSerializer},
        examples=[*examples.domain_proposal_input, *examples.domain_proposal],
    )
    def create(self, request: Request) -> Response:
        data = s.DomainProposalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        platform = get_object_or_404(Platform, slug=values["platform"])
        actor = cast(User, request.user)
        if values["kind"] == DomainProposalKind.DOMAIN:
            proposal = _call(
                services.domain_propose,
                actor=actor,
                platform=platform,
                domain=values["value"],
                include_subdomains=values["include_subdomains"],
                note=values["note"],
            )
        else:
            proposal = _call(
                services.website_propose,
                actor=actor,
                platform=platform,
                website=values["value"],
                note=values["note"],
            )
        return Response(s.DomainProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ApproveSerializer,
        responses={200: s.DomainProposalSerializer},
        examples=examples.domain_proposal,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        data = s.ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = _call(
            services.domain_proposal_approve,
            actor=cast(User, request.user),
            proposal=self.get_object(),
            fingerprint=data.validated_data["fingerprint"],
        )
        return self._proposal_response(proposal)


@extend_schema(tags=["directory admin"])
class ChannelAdminViewSet(viewsets.GenericViewSet):
    """Suspend, retire and add evidence to a channel (directory admins)."""

    permission_classes = [IsDirectoryAdmin]
    queryset = ContactChannel.objects.select_related("platform")
    serializer_class = s.ChannelSerializer

    def _result(self, channel: ContactChannel) -> Response:
        channel = (
            ContactChannel.objects.select_related("platform", "replacement")
            .prefetch_related("windows", "problem_types")
            .get(pk=channel.pk)
        )
        return Response(s.ChannelSerializer(channel).data)

    @extend_schema(
        request=s.DirectoryReasonSerializer, responses={200: s.ChannelSerializer}, examples=examples.channel
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str | None = None) -> Response:
        data = s.DirectoryReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        channel = _call(
            services.channel_suspend,
            actor=cast(User, request.user),
            channel=self.get_object(),
            reason=data.validated_data["reason"],
        )
        return self._result(channel)

    @extend_schema(
        request=s.RetireSerializer, responses={200: s.ChannelSerializer}, examples=examples.channel
    )
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        data = s.RetireSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        channel = self.get_object()
        replacement = None
        if data.validated_data.get("replacement"):
            replacement = get_object_or_404(ContactChannel, pk=data.validated_data["replacement"])
        channel = _call(
            services.channel_retire,
            actor=cast(User, request.user),
            channel=channel,
            reason=data.validated_data["reason"],
            replacement=replacement,
        )
        return self._result(channel)

    @extend_schema(
        request={"multipart/form-data": s.DirectoryEvidenceUploadSerializer},
        responses={201: s.DirectoryEvidenceCreatedSerializer},
        examples=examples.evidence,
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONObjectParser])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        data = s.DirectoryEvidenceUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = _call(
            services.evidence_add,
            actor=cast(User, request.user),
            channel=self.get_object(),
            item=services.EvidenceInput(
                method=data.validated_data["method"],
                note=data.validated_data["note"],
                url=data.validated_data.get("url", ""),
                upload=data.validated_data.get("file"),
            ),
        )
        return Response({"id": evidence.pk, "sha256": evidence.sha256}, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["checker"],
    parameters=[
        OpenApiParameter(
            "q",
            str,
            required=True,
            description="A number, link, email, WeChat/QQ id or a whole pasted message.",
        )
    ],
    responses={200: s.CheckResponseSerializer},
    examples=examples.check,
)
class CheckView(APIView):
    """Is this number official? One result per number, link, address and id found in ``q``.

    Public and throttled (``API_THROTTLE_CHECKER``). Empty, oversized (over 2,000 characters), control
    characters or invalid UTF-8 in ``q``: 400 with a message in the request language.
    """

    permission_classes = [AllowAny]
    throttle_scope = "checker"

    def get(self, request: Request) -> Response:
        try:
            answer = check_json(present.query_from_request(request._request))
        except checker.InputProblem as problem:
            message = present.problem_message(problem.code)
            return Response(
                error_body(problem.code, message, {"q": [message]}), status=status.HTTP_400_BAD_REQUEST
            )
        if not http_cache.is_anonymous_read(request._request):
            return cast(Response, http_cache.mark_private(Response(answer)))
        # The answer itself is the validator: it may change by the clock (a report leaving the window).
        etag = http_cache.etag_of(get_language() or "", repr(answer))
        if http_cache.matches(request._request, etag):
            return cast(Response, http_cache.mark_public(Response(status=304), etag=etag))
        return cast(Response, http_cache.mark_public(Response(answer), etag=etag))
