from __future__ import annotations

from django.urls import path

from integrations.api import views

urlpatterns = [
    path("platform/events/", views.PlatformEventsView.as_view(), name="api-platform-events"),
    path("platform/claims/", views.PlatformClaimsView.as_view(), name="api-platform-claims"),
    path(
        "platform/claims/<str:reference>/outcome/",
        views.PlatformClaimOutcomeView.as_view(),
        name="api-platform-claim-outcome",
    ),
    path("outreach/", views.OutreachListView.as_view(), name="api-outreach"),
]
