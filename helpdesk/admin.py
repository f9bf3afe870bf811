from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from helpdesk import webhooks
from helpdesk.audit import audit_record, snapshot
from helpdesk.models import (
    ApiToken,
    AuditEntry,
    CalendarDay,
    NotificationTemplate,
    OutboxMessage,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "role", "staff_number", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "display_name", "staff_number"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {"fields": ("display_name", "phone", "phone_verified_at", "role", "staff_number", "language")},
        ),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),)
    # Only an SMS code verifies a number (helpdesk.services.phone_code_confirm); an edited number is unproven.
    readonly_fields = ["phone_verified_at"]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change and "phone" in form.changed_data:
            obj.phone_verified_at = None
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read and revoke (delete) only: keys are never shown again, and nobody issues one here."""

    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "expires_at", "otp_verified"]
    search_fields = ["prefix", "user__email"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: ApiToken) -> None:
        audit_record(
            actor=cast(User, request.user),
            action="user.api_token_revoked",
            obj=obj.user,
            before={"token": obj.prefix},
            reason="admin",
        )
        obj.delete()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset.select_related("user"):
            self.delete_model(request, token)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "who", "action", "object_type", "object_id", "source", "ip"]
    list_filter = ["action", "object_type", "source"]
    search_fields = ["object_id", "actor_label", "action"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    # The row keeps the e-mail it was written with (append-only); pages show the account as it is now, so
    # a deleted person appears under their pseudonym (insights/privacy.py), not their old address.
    exclude = ["actor_label"]
    readonly_fields = ["who"]

    @admin.display(description=_("actor"))
    def who(self, entry: AuditEntry) -> str:
        return entry.actor.email if entry.actor is not None else entry.actor_label

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ["event", "channel", "language", "subject", "updated_at"]
    list_filter = ["channel", "language"]
    search_fields = ["event", "subject", "body"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through services (audited): the admin shows, never edits."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "id", "event", "created_at", "attempts", "lease_until", "dispatched_at", "failed_at", "last_error"
    ]  # fmt: skip
    list_filter = ["event"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    """Shown for support; endpoints are created and rotated through helpdesk.webhooks services."""

    list_display = ["url", "platform_id", "enabled", "disabled_reason", "created_at"]
    exclude = ["secret", "previous_secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["msg_id", "event", "endpoint", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status", "event"]
    actions = ["replay"]

    @admin.action(description=_("Send again"))
    def replay(self, request: HttpRequest, queryset: Any) -> None:
        for delivery in queryset.select_related("endpoint"):
            webhooks.webhook_delivery_replay(actor=request.user, delivery=delivery)  # type: ignore[arg-type]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "day"

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action="calendar.day_saved",
                obj=obj,
                after=snapshot(obj, ["day", "kind", "name"]),
            )

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        with transaction.atomic():
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action="calendar.day_deleted",
                obj=obj,
                before=snapshot(obj, ["day", "kind", "name"]),
            )
            super().delete_model(request, obj)
