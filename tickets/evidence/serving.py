"""Serving evidence files: the one function the customer's page, the agent workspace and the API call.

Only sanitized files leave. An image still in quarantine (stored before it was rebuilt from pixels, EXIF and
anything appended still in it) is never streamed to anyone: the caller says how to answer "still being
checked" (an HTML page or a JSON 409), and ``helpdesk.uploads.private_file_response`` refuses quarantined
names as a last line of defence.

Who may see the claim is decided before this is called: ``tickets.claims.selectors.claim_for_customer`` for
the customer, ``tickets.access.claim_for_agent`` for staff. The evidence id is looked up on that claim only,
so an id of another claim answers 404 like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from helpdesk.uploads import is_quarantined, private_file_response
from tickets.models import Claim, Evidence


def serve_evidence(
    *, claim: Claim, evidence_id: int, not_ready: Callable[[], HttpResponseBase]
) -> HttpResponseBase:
    """The file as a download (attachment, nosniff, sandboxed, not cached), or ``not_ready()`` while it is
    being checked, or 404 for an id that is not evidence of this claim."""
    item = (
        Evidence.objects.filter(claim=claim, pk=evidence_id)
        .only("id", "storage_name", "original_name", "content_type")
        .first()
    )
    if item is None:
        raise Http404
    if not item.is_ready or is_quarantined(item.storage_name):
        return not_ready()
    return private_file_response(
        item.storage_name, download_name=item.original_name, content_type=item.content_type
    )


def evidence_pending_page(request: HttpRequest, *, back_url: str) -> HttpResponse:
    """The HTML answer while a file is in quarantine: 409 with a page that says so (never the bytes)."""
    response = render(request, "tickets/evidence_pending.html", {"back_url": back_url}, status=409)
    response["Retry-After"] = "5"
    return response
