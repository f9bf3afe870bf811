from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from helpcentre.models import Article, ArticleRevision


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-only: articles are written and published on the editor pages (the publishing check runs there)."""

    list_display = ["slug", "title_zh", "platform", "status", "solved_count", "not_solved_count"]
    list_filter = ["status", "platform"]
    search_fields = ["slug", "title_zh", "title_en"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    list_display = ["article", "number", "published_by", "published_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
