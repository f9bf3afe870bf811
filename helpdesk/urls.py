from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from helpdesk import views
from helpdesk.forms import EmailAuthenticationForm
from tickets import sla_views

handler400 = "helpdesk.views.error_400"
handler403 = "helpdesk.views.error_403"
handler404 = "helpdesk.views.error_404"
handler500 = "helpdesk.views.error_500"

accounts = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("activate/<str:token>/", views.account_activate, name="account_activate"),
    path("2fa/", views.otp_verify, name="otp_verify"),
    path("landing/", views.landing, name="landing"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("password-change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password-change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("tokens/", views.api_token_list, name="api_tokens"),
    path("phone/", views.phone_verify, name="phone_verify"),
]

urlpatterns = [
    path("", include("insights.urls")),
    path("", include("contacts.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/", include(accounts)),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notification_badge"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("i18n/setlang/", views.set_language, name="set_language"),  # also remembers it for notifications
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("claims/", include("tickets.claims.urls")),
    path("help/", include("helpcentre.urls")),
    path("agent/callbacks/", sla_views.callback_list, name="callbacks"),
    path("agent/callbacks/<int:callback_id>/attempt/", sla_views.callback_attempt, name="callback_attempt"),
    path("agent/reports/sla/", sla_views.sla_report_view, name="sla_report"),
    path("agent/supervisor/merchants/", include("integrations.urls")),
    path("agent/", include("tickets.desk.urls")),
    path("api/v1/", include("insights.api.urls")),
    path("api/v1/", include("helpdesk.api.urls")),
    path("api/v1/", include("contacts.api.urls")),
    path("api/v1/", include("tickets.api.urls")),
    path("api/v1/", include("integrations.api.urls")),
    path("api/v1/", include("helpcentre.api.urls")),
    path("api/v1/agent/", include("tickets.api.agent_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
