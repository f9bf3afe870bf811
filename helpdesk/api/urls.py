from __future__ import annotations

from django.urls import path

from helpdesk.api.auth import MeView, ObtainTokenView
from helpdesk.api.platform_keys import PlatformWebhookDetailView, PlatformWebhooksView

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("platform/webhooks/", PlatformWebhooksView.as_view(), name="api-platform-webhooks"),
    path(
        "platform/webhooks/<int:endpoint_id>/",
        PlatformWebhookDetailView.as_view(),
        name="api-platform-webhook",
    ),
]
