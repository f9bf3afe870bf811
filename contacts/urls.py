from __future__ import annotations

from django.urls import path

from contacts import appeal_views, views, webhook_views

urlpatterns = [
    path("", views.home, name="home"),
    path("platforms/<slug:slug>/", views.platform_detail, name="platform-detail"),
    path("platforms/<slug:slug>/history/", views.platform_history, name="platform-history"),
    path("check/", views.check, name="check"),
    path("check/report/", views.report_scam, name="report-scam"),
    path("check/appeal/", appeal_views.appeal, name="report-appeal"),
    path("directory/", views.directory_home, name="directory-home"),
    path("directory/reports/", views.directory_reports, name="directory-reports"),
    path("directory/appeals/", appeal_views.directory_appeals, name="directory-appeals"),
    path("directory/appeals/<int:appeal_id>/", appeal_views.directory_appeal, name="directory-appeal"),
    path("directory/reports/<int:value_id>/", views.directory_report, name="directory-report"),
    path(
        "directory/reports/screenshots/<int:report_id>/",
        views.directory_report_screenshot,
        name="directory-report-screenshot",
    ),
    path("directory/platforms/new/", views.directory_platform, name="directory-platform-new"),
    path("directory/platforms/<slug:slug>/", views.directory_platform, name="directory-platform"),
    path("directory/platforms/<slug:slug>/webhooks/", webhook_views.endpoints, name="directory-webhooks"),
    path("directory/webhooks/<int:endpoint_id>/", webhook_views.endpoint_log, name="directory-webhook-log"),
    path("directory/platforms/<slug:slug>/keys/", webhook_views.key_issue, name="directory-key-issue"),
    path("directory/keys/<int:key_id>/revoke/", webhook_views.key_revoke, name="directory-key-revoke"),
    path(
        "directory/webhooks/<int:endpoint_id>/rotate/",
        webhook_views.endpoint_rotate,
        name="directory-webhook-rotate",
    ),
    path(
        "directory/webhooks/<int:endpoint_id>/toggle/",
        webhook_views.endpoint_toggle,
        name="directory-webhook-toggle",
    ),
    path(
        "directory/webhooks/deliveries/<int:delivery_id>/replay/",
        webhook_views.delivery_replay,
        name="directory-webhook-replay",
    ),
    path("directory/platforms/<slug:slug>/propose/", views.directory_propose, name="directory-propose"),
    path(
        "directory/platforms/<slug:slug>/channels/<int:channel_id>/change/",
        views.directory_propose,
        name="directory-change",
    ),
    path("directory/channels/<int:channel_id>/", views.directory_channel, name="directory-channel"),
    path("directory/proposals/<int:proposal_id>/", views.directory_proposal, name="directory-proposal"),
    path(
        "directory/evidence/<int:evidence_id>/file/",
        views.directory_evidence_file,
        name="directory-evidence-file",
    ),
    path(
        "directory/domain-proposals/<int:proposal_id>/",
        views.directory_domain_proposal,
        name="directory-domain-proposal",
    ),
    path(
        "directory/domain-proposals/<int:proposal_id>/<str:decision>/",
        views.directory_domain_decide,
        name="directory-domain-decide",
    ),
    path(
        "directory/proposals/<int:proposal_id>/confirm/",
        views.directory_confirm,
        name="directory-proposal-confirm",
    ),
    path(
        "directory/proposals/<int:proposal_id>/<str:decision>/",
        views.directory_decide,
        name="directory-decide",
    ),
]
