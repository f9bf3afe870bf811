"""Directory admins manage a platform's webhook endpoints: add, rotate the secret, switch off, read the
delivery log and send a delivery again. The work is done by helpdesk.webhooks (audited services)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST

from contacts.models import Platform
from contacts.views import directory_admin_required
from helpdesk import webhooks
from helpdesk.api.platform_keys import SCOPES, platform_key_issue, platform_key_revoke
from helpdesk.models import PlatformApiKey, User, WebhookDelivery, WebhookEndpoint

EVENT_LABELS = {
    "claim.filed": gettext_lazy("Claim filed"),
    "claim.status_changed": gettext_lazy("Status changed"),
    "claim.replied": gettext_lazy("Support replied"),
    "claim.resolved": gettext_lazy("Resolved"),
    "callback.requested": gettext_lazy("Call-back requested"),
    "callback.completed": gettext_lazy("Call-back done"),
}


class EndpointForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("Endpoint URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=[(e, EVENT_LABELS[e]) for e in webhooks.EVENTS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("None ticked: every event."),
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)


def _show_secret_once(request: HttpRequest, secret: str) -> None:
    messages.warning(
        request,
        _("Signing secret (shown once; give it to the platform over a safe channel): %(secret)s")
        % {"secret": secret},
    )


@directory_admin_required
def endpoints(request: HttpRequest, slug: str) -> HttpResponse:
    platform = get_object_or_404(Platform, slug=slug)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = webhooks.webhook_endpoint_create(
            actor=cast(User, request.user),
            platform_id=platform.pk,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            description=form.cleaned_data["description"],
        )
        _show_secret_once(request, endpoint.secret)
        return redirect("directory-webhooks", slug=platform.slug)
    rows = WebhookEndpoint.objects.filter(platform_id=platform.pk).order_by("-created_at")
    keys = PlatformApiKey.objects.filter(platform_id=platform.pk, revoked_at__isnull=True).order_by(
        "-created_at"
    )
    return render(
        request,
        "contacts/directory/webhooks.html",
        {
            "platform": platform,
            "endpoints": rows,
            "form": form,
            "labels": EVENT_LABELS,
            "keys": keys,
            "key_scopes": SCOPES,
        },
    )


@directory_admin_required
@require_POST
def key_issue(request: HttpRequest, slug: str) -> HttpResponse:
    platform = get_object_or_404(Platform, slug=slug)
    scopes = [scope for scope in request.POST.getlist("scopes") if scope in SCOPES] or ["webhooks"]
    _row, key = platform_key_issue(
        actor=cast(User, request.user),
        platform_id=platform.pk,
        name=request.POST.get("name", ""),
        scopes=scopes,
    )
    messages.warning(
        request,
        _("Platform API key (shown once; give it to the platform over a safe channel): %(key)s")
        % {"key": key},
    )
    return redirect("directory-webhooks", slug=platform.slug)


@directory_admin_required
@require_POST
def key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = get_object_or_404(PlatformApiKey, pk=key_id)
    platform = get_object_or_404(Platform, pk=key.platform_id)
    platform_key_revoke(actor=cast(User, request.user), key=key)
    messages.success(request, _("The key no longer works."))
    return redirect("directory-webhooks", slug=platform.slug)


def _endpoint(endpoint_id: int) -> tuple[WebhookEndpoint, Platform]:
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    return endpoint, get_object_or_404(Platform, pk=endpoint.platform_id)


@directory_admin_required
def endpoint_log(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint, platform = _endpoint(endpoint_id)
    deliveries = endpoint.deliveries.order_by("-created_at", "-id")[:100]
    return render(
        request,
        "contacts/directory/webhook_log.html",
        {"endpoint": endpoint, "platform": platform, "deliveries": deliveries},
    )


@directory_admin_required
@require_POST
def endpoint_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint, platform = _endpoint(endpoint_id)
    _show_secret_once(
        request, webhooks.webhook_secret_rotate(actor=cast(User, request.user), endpoint=endpoint)
    )
    return redirect("directory-webhooks", slug=platform.slug)


@directory_admin_required
@require_POST
def endpoint_toggle(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint, platform = _endpoint(endpoint_id)
    webhooks.webhook_endpoint_set_enabled(
        actor=cast(User, request.user),
        endpoint=endpoint,
        enabled=not endpoint.enabled,
        # Stored in English, shown in each reader's language (the page translates it).
        reason=gettext_noop("Switched off by a directory admin."),
    )
    return redirect("directory-webhooks", slug=platform.slug)


@directory_admin_required
@require_POST
def delivery_replay(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=delivery_id)
    try:
        webhooks.webhook_delivery_replay(actor=cast(User, request.user), delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The delivery will be sent again."))
    return redirect("directory-webhook-log", endpoint_id=delivery.endpoint_id)
