"""Django admin for superusers: read-only for anything published. Publishing happens only through
contacts.services (the directory pages and the API), never around the two-person rule."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from contacts import versioning
from contacts.models import (
    ChannelHistory,
    ChannelProposal,
    ContactChannel,
    DomainProposal,
    OfficialDomain,
    Platform,
    ProblemType,
    ReportedValue,
    ScamReport,
)
from helpdesk.admin import ReadOnlyAdmin


@admin.register(ProblemType)
class ProblemTypeAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_zh", "name_en", "severity", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]

    # Problem types are on the public home page: a change invalidates its cached copies (the admin's
    # views run each save in a transaction, which the bump joins).
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        versioning.bump()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        versioning.bump()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        versioning.bump()


@admin.register(Platform)
class PlatformAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "status"]
    search_fields = ["name", "slug", "search_text"]


@admin.register(ContactChannel)
class ContactChannelAdmin(ReadOnlyAdmin):
    list_display = ["platform", "kind", "value", "state", "review_due_at"]
    list_filter = ["state", "kind"]
    search_fields = ["value", "canonical_value", "platform__name"]
    list_select_related = ["platform"]


@admin.register(ChannelProposal)
class ChannelProposalAdmin(ReadOnlyAdmin):
    list_display = ["id", "platform", "status", "proposed_by", "decided_by", "proposed_at"]
    list_filter = ["status"]
    list_select_related = ["platform", "proposed_by", "decided_by"]


@admin.register(DomainProposal)
class DomainProposalAdmin(ReadOnlyAdmin):
    """Decisions go through /directory/domain-proposals/ (a second admin, audited)."""

    list_display = ["id", "platform", "kind", "value", "status", "proposed_by", "decided_by", "proposed_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["platform", "proposed_by", "decided_by"]


@admin.register(OfficialDomain)
class OfficialDomainAdmin(ReadOnlyAdmin):
    list_display = ["domain", "platform", "include_subdomains", "proposed_by", "approved_by", "approved_at"]
    search_fields = ["domain", "platform__name"]
    list_select_related = ["platform", "proposed_by", "approved_by"]


@admin.register(ChannelHistory)
class ChannelHistoryAdmin(ReadOnlyAdmin):
    list_display = ["at", "platform", "action", "kind", "old_value", "new_value"]
    list_select_related = ["platform"]


@admin.register(ReportedValue)
class ReportedValueAdmin(ReadOnlyAdmin):
    """Decisions go through the triage pages (/directory/reports/), which audit them."""

    list_display = ["display_value", "canonical_value", "status", "platform", "last_reported_at"]
    list_filter = ["status"]
    search_fields = ["canonical_value", "display_value"]
    list_select_related = ["platform"]


@admin.register(ScamReport)
class ScamReportAdmin(ReadOnlyAdmin):
    list_display = ["value", "found_where", "target", "created_at"]
    list_filter = ["found_where"]
    list_select_related = ["target"]
    exclude = ["reporter_hash"]
