from __future__ import annotations

from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("platforms/<slug:slug>/scorecard/", views.scorecard, name="scorecard"),
    path("platforms/<slug:slug>/scorecard/respond/", views.scorecard_respond, name="scorecard_respond"),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("accounts/privacy/", views.privacy_settings, name="privacy_settings"),
    path("accounts/privacy/export/", views.export_request, name="export_request"),
    path("accounts/privacy/export/<str:token>/", views.export_download, name="export_download"),
    path("accounts/privacy/delete/", views.deletion_schedule, name="deletion_schedule"),
    path("accounts/privacy/delete/cancel/", views.deletion_cancel, name="deletion_cancel"),
    path("claims/<str:reference>/rating-comment/", views.rating_comment, name="rating_comment"),
    path("agent/insights/", views.analytics, name="analytics"),
    path("agent/insights/export.csv", views.analytics_csv, name="analytics_csv"),
    path("agent/insights/csat/", views.csat_report, name="csat_report"),
]
