"""Staff pages of the platform integration."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from helpdesk.models import User
from integrations import selectors
from tickets import access
from tickets.desk.views import agent_required


@agent_required
@require_GET
def merchants(request: HttpRequest) -> HttpResponse:
    """Supervisors: merchants whose complaint rate (claims per delivered order, 30 days) is high."""
    if not access.sees_every_team(cast(User, request.user)):
        raise Http404
    return render(
        request,
        "integrations/merchants.html",
        {
            "rows": selectors.high_complaint_merchants(),
            "threshold": settings.MERCHANT_COMPLAINT_RATE * 100,
            "min_delivered": settings.MERCHANT_MIN_DELIVERED,
        },
    )
