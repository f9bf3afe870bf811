from __future__ import annotations

from django.urls import path

from insights.api.views import MyDataExportView, ScorecardView

urlpatterns = [
    path("platforms/<slug:slug>/scorecard/", ScorecardView.as_view(), name="api-platform-scorecard"),
    path("me/export/", MyDataExportView.as_view(), name="api-me-export"),
]
