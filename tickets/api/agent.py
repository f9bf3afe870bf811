"""Agent API: ``GET /api/v1/agent/queue/`` (keyset pages) and ``POST /api/v1/agent/queue/take-next/``.

Customers and other non-agents get 404, as on the HTML pages: the agent API does not exist for them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api.errors import error_body
from helpdesk.models import User
from helpdesk.params import read_bool
from tickets import access
from tickets.desk import queue as q
from tickets.desk import services as svc
from tickets.desk.forms import QueueFilterForm
from tickets.models import NO_DUE_TIME, Claim, ClaimStatus


class QueueItemSerializer(serializers.Serializer):
    """Output only; written out by hand in ``queue_item`` (no per-row field building)."""

    reference = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.IntegerField()
    urgency_score = serializers.IntegerField()
    urgency_parts = serializers.DictField()
    is_high_value = serializers.BooleanField()
    late_filed = serializers.BooleanField()
    platform = serializers.CharField()
    problem_type = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    team = serializers.CharField(allow_null=True)
    assignee = serializers.CharField(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    due_at = serializers.DateTimeField(allow_null=True)
    sla = serializers.ChoiceField(choices=["", "breached", "at_risk"])
    created_at = serializers.DateTimeField()
    url = serializers.CharField()


class QueuePageSerializer(serializers.Serializer):
    results = QueueItemSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="Cursor of the next page; absent on the last.")
    estimate = serializers.IntegerField(
        help_text="Claims matching, counted up to 1,000. A broad text search (one that fills its page from "
        "the first claims in queue order) is not counted past its page: the page's size, capped."
    )
    estimate_capped = serializers.BooleanField(
        help_text="True: more than `estimate` match (show “1,000+”, or “50+”)."
    )


def queue_item(claim: Claim | q.QueueClaim, now: datetime | None = None) -> dict[str, Any]:
    due = claim.queue_due_at
    tags = getattr(claim, "tag_names", None)  # set by tickets.queue for a page; one claim reads its own
    if tags is None:
        tags = [tag.name for tag in cast(Claim, claim).tags.order_by("name")]
    return {
        "reference": claim.reference,
        "subject": claim.subject,
        "status": claim.status,
        "priority": claim.priority,
        "urgency_score": claim.urgency_score,
        "urgency_parts": claim.urgency_parts,
        "is_high_value": claim.is_high_value,
        "late_filed": claim.late_filed,
        "platform": claim.platform.slug,
        "problem_type": claim.problem_type.slug,
        "amount": str(claim.amount),
        "currency": claim.currency,
        "team": claim.team.slug if claim.team else None,
        "assignee": claim.assignee.public_name if claim.assignee else None,
        "tags": tags,
        "due_at": due.isoformat() if due and due < NO_DUE_TIME else None,
        "sla": q.sla_state(claim, now),
        "created_at": claim.created_at.isoformat(),
        "url": f"/agent/tickets/{claim.reference}/",
    }


ITEM_EXAMPLE = {
    "reference": "XY-20261122-7K3Q9M",
    "subject": "20240520001-充值未到账-紧急",
    "status": "new",
    "priority": 1,
    "urgency_score": 510,
    "urgency_parts": {"severity": 300, "high_value": 150, "window_near": 60},
    "is_high_value": True,
    "late_filed": False,
    "platform": "xingyun",
    "problem_type": "topup-not-credited",
    "amount": "800.00",
    "currency": "CNY",
    "team": "senior",
    "assignee": None,
    "tags": [],
    "due_at": "2026-11-22T14:50:00+08:00",
    "sla": "at_risk",
    "created_at": "2026-11-22T14:35:00+08:00",
    "url": "/agent/tickets/XY-20261122-7K3Q9M/",
}
PAGE_EXAMPLE = {
    "results": [ITEM_EXAMPLE],
    "next": "WzEsLTQ2MiwiMjAyNi0xMS0yMlQwNjo1MDowMCswMDowMCIsIjIwMjYtMTEtMjJUMDY6MzU6MDArMDA6MDAiLDQyXQ:1t…",
    "estimate": 1000,
    "estimate_capped": True,
}


def _agent(request: Request) -> User:
    user = cast(User, request.user)
    if not user.is_agent:
        raise Http404
    return user


_ID = {"type": "integer", "minimum": 1}
FILTERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": 100},
        description="Reference, order number, phone, description text or email",
    ),
    OpenApiParameter("team", _ID),
    OpenApiParameter("platform", _ID),
    OpenApiParameter("problem_type", _ID),
    OpenApiParameter("status", str, enum=["", *ClaimStatus.values]),
    OpenApiParameter("mine", bool),
    OpenApiParameter("unassigned", bool),
    OpenApiParameter("sla", str, enum=["", "breached", "at_risk"]),
    OpenApiParameter("late", bool),
    OpenApiParameter(
        "cursor", {"type": "string", "maxLength": 400}, description="The `next` value of the previous page"
    ),
    OpenApiParameter(
        "size", {"type": "integer", "minimum": 1, "maximum": 200}, description="Rows per page (default 50)"
    ),
]


class QueueView(APIView):
    @extend_schema(
        summary="The agent's queue, most urgent first (keyset pages)",
        parameters=FILTERS,
        responses={200: QueuePageSerializer},
        examples=[OpenApiExample("Queue page", value=PAGE_EXAMPLE, response_only=True)],
        tags=["agent"],
    )
    def get(self, request: Request) -> Response:
        agent = _agent(request)
        for flag in ("mine", "unassigned", "late"):  # the form would read any other word as "false"
            read_bool(request.query_params, flag)
        form = QueueFilterForm(request.query_params)
        if not form.is_valid():
            fields = {name: [str(message) for message in errors] for name, errors in form.errors.items()}
            return Response(error_body("invalid", _("Some fields are not valid."), fields), status=400)
        try:
            page = q.queue_for_agent(
                agent=agent,
                filters=form.filters(),
                cursor=form.cleaned_data.get("cursor") or "",
                size=form.cleaned_data.get("size") or 50,
            )
        except q.BadCursor:
            return Response(error_body("invalid_cursor", _("The cursor is invalid.")), status=400)
        now = timezone.now()
        return Response(
            {
                "results": [queue_item(claim, now) for claim in page.claims],
                "next": page.next_cursor,
                "estimate": page.estimate,
                "estimate_capped": page.estimate_capped,
            }
        )


class TakeNextView(APIView):
    @extend_schema(
        summary="Assign the most urgent unassigned claim to me",
        request=None,
        responses={200: QueueItemSerializer, 204: OpenApiResponse(description="Nothing to take")},
        examples=[
            OpenApiExample("Claim taken", value=ITEM_EXAMPLE, response_only=True, status_codes=["200"])
        ],
        tags=["agent"],
    )
    def post(self, request: Request) -> Response:
        claim = svc.claim_take_next(agent=_agent(request))
        if claim is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        claim = access.claim_for_agent(agent=cast(User, request.user), reference=claim.reference)
        return Response(queue_item(claim))
