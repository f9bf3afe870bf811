from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from insights.models import DataExport, DeletionRequest, ScorecardResponse, ScorecardSnapshot


class ReadOnly(admin.ModelAdmin):
    """Rows that change only through the insights services (audited): shown, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScorecardSnapshot)
class ScorecardSnapshotAdmin(ReadOnly):
    list_display = ["platform", "period_end", "claims", "csat", "resolved_within_promise", "computed_at"]


@admin.register(ScorecardResponse)
class ScorecardResponseAdmin(ReadOnly):
    list_display = ["platform", "quarter", "created_at"]


@admin.register(DataExport)
class DataExportAdmin(ReadOnly):
    list_display = ["id", "user_id", "status", "created_at", "expires_at"]
    exclude = ["storage_name"]


@admin.register(DeletionRequest)
class DeletionRequestAdmin(ReadOnly):
    list_display = ["id", "status", "requested_at", "due_at", "done_at", "pseudonym"]
    exclude = ["user"]
