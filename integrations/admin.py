from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from helpdesk.api.platform_keys import SCOPES, platform_key_set_scopes
from helpdesk.models import PlatformApiKey, User
from integrations.models import OrderFact, Outreach, OutreachOrder, PlatformEvent


class PlatformKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=[(s, s) for s in SCOPES], widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = PlatformApiKey
        fields = ["scopes"]


@admin.register(PlatformApiKey)
class PlatformApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued on the directory page (the secret is shown once there); here only scopes change."""

    form = PlatformKeyForm
    list_display = ["__str__", "platform_id", "name", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = [
        "platform_id",
        "name",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    fields = [
        "platform_id",
        "name",
        "prefix",
        "scopes",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: PlatformApiKey, form: Any, change: bool) -> None:
        # Through the service: audited.
        platform_key_set_scopes(
            actor=request.user if isinstance(request.user, User) else None,
            key=obj,
            scopes=form.cleaned_data["scopes"],
        )


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PlatformEvent)
class PlatformEventAdmin(_ReadOnly):
    list_display = [
        "event_id",
        "platform",
        "type",
        "occurred_at",
        "order_number",
        "received_at",
        "matched_at",
    ]
    list_filter = ["type", "platform"]
    search_fields = ["=event_id", "=order_number"]
    show_full_result_count = False


@admin.register(OrderFact)
class OrderFactAdmin(_ReadOnly):
    list_display = [
        "order_number",
        "platform",
        "amount",
        "status",
        "merchant",
        "last_event_type",
        "updated_at",
    ]
    search_fields = ["=order_number", "merchant"]
    show_full_result_count = False


class OutreachOrderInline(admin.TabularInline):
    model = OutreachOrder
    extra = 0
    can_delete = False
    readonly_fields = ["order_number", "amount", "currency", "product", "failed_at"]


@admin.register(Outreach)
class OutreachAdmin(_ReadOnly):
    list_display = ["platform", "customer", "window_start", "created_at"]
    inlines = [OutreachOrderInline]
