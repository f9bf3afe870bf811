from __future__ import annotations

from django.urls import path

from insights.api.views import MyDataExportView, PlatformScorecardResponseView, ScorecardView

urlpatterns = [
    path("platforms/<slug:slug>/scorecard/", ScorecardView.as_view(), name="api-platform-scorecard"),
    path(
        "platform/scorecard/response/",
        PlatformScorecardResponseView.as_view(),
        name="api-platform-scorecard-response",
    ),
    path("me/export/", MyDataExportView.as_view(), name="api-me-export"),
]
