from __future__ import annotations

from django.urls import path

from helpdesk.api.auth import MeView, ObtainTokenView

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
]
