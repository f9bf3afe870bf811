from __future__ import annotations

from django.contrib import admin

from helpcentre.models import Article, ArticleRevision


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-only: articles are written and published on the editor pages (the publishing check runs there)."""

    list_display = ["slug", "title_zh", "platform", "status", "solved_count", "not_solved_count"]
    list_filter = ["status", "platform"]
    search_fields = ["slug", "title_zh", "title_en"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    list_display = ["article", "number", "published_by", "published_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
