from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tickets.models import Claim, ClaimEvent, Evidence, PlatformClaimPolicy


@admin.register(PlatformClaimPolicy)
class PlatformClaimPolicyAdmin(admin.ModelAdmin):
    list_display = ["platform", "problem_type", "report_within", "resolution_promise", "rule_zh"]
    list_select_related = ["platform", "problem_type"]


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    fields = ("created_at", "kind", "is_internal", "actor_label", "body")
    readonly_fields = ("created_at", "kind", "is_internal", "actor_label", "body")
    can_delete = False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    """Read-only: state changes go through the services (audited), not through the admin."""

    list_display = ["reference", "status", "platform", "problem_type", "amount", "late_filed", "created_at"]
    list_filter = ["status", "late_filed", "platform"]
    list_select_related = ["platform", "problem_type"]
    search_fields = ["=reference", "=order_number"]
    inlines = [ClaimEventInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "claim", "content_type", "size", "created_at"]
    list_select_related = ["claim"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
