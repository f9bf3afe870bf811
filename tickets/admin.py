from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from helpdesk.audit import audit_record
from tickets.models import (
    Callback,
    Claim,
    ClaimEvent,
    Evidence,
    Macro,
    PlatformClaimPolicy,
    RoutingRule,
    SlaPolicy,
    Tag,
    Team,
    TeamMembership,
)
from tickets.sla.policies import forget_policies
from tickets.triage.routing import forget_routing


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


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """Policies are data supervisors edit; every change is audited and reaches the filing path within
    CLAIM_REFERENCE_DATA_TTL seconds (policies are cached per process)."""

    list_display = ["name", "position", "active", "first_response", "resolution", "callback", "calendar"]
    list_editable = ["position", "active"]
    filter_horizontal = ["platforms", "problem_types"]

    def save_model(self, request: HttpRequest, obj: SlaPolicy, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action="sla.policy_saved",
                obj=obj,
                after={name: form.cleaned_data.get(name) for name in form.changed_data},
            )
        forget_policies()

    def delete_model(self, request: HttpRequest, obj: SlaPolicy) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action="sla.policy_deleted", obj=obj)  # type: ignore[arg-type]
            super().delete_model(request, obj)
        forget_policies()


@admin.register(Callback)
class CallbackAdmin(admin.ModelAdmin):
    """Read-only: call-backs change through tickets.callbacks.services (audited)."""

    list_display = ["claim", "status", "due_at", "owner", "attempts", "reason"]
    list_filter = ["status", "reason"]
    readonly_fields = [f.name for f in Callback._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Teams, memberships, canned replies and tags are data supervisors edit here; every change is audited.
    (Routing rules also have their own page in the workspace, /agent/supervisor/routing/.)"""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action=f"{obj._meta.model_name}.saved",
                obj=obj,
                after={name: form.cleaned_data.get(name) for name in form.changed_data},
            )
        if isinstance(obj, RoutingRule):
            forget_routing()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action=f"{obj._meta.model_name}.deleted", obj=obj)  # type: ignore[arg-type]
            super().delete_model(request, obj)
        if isinstance(obj, RoutingRule):
            forget_routing()


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 1
    fields = ["user"]
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "slug", "is_general", "is_senior"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TeamMembershipInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    list_display = [
        "position",
        "name",
        "is_active",
        "platform",
        "problem_type",
        "min_amount",
        "max_amount",
        "team",
    ]
    list_display_links = ["name"]
    list_select_related = ["platform", "problem_type", "team"]


@admin.register(Macro)
class MacroAdmin(AuditedAdmin):
    list_display = ["name", "set_status", "team", "is_active"]
    filter_horizontal = ["tags"]


@admin.register(Tag)
class TagAdmin(AuditedAdmin):
    search_fields = ["name"]
