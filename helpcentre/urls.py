from __future__ import annotations

from django.urls import path

from helpcentre import assistant, views

app_name = "helpcentre"

urlpatterns = [
    path("", views.help_home, name="home"),
    path("assistant/", assistant.assistant, name="assistant"),
    path("suggestions/", views.claim_suggestions, name="suggestions"),
    path("suggestions/solved/", views.claim_solved, name="suggestion-solved"),
    path("deflection/", views.deflection_report, name="deflection"),
    path("editor/", views.editor_list, name="editor-list"),
    path("editor/new/", views.editor_edit, name="editor-new"),
    path("editor/<slug:slug>/", views.editor_edit, name="editor-edit"),
    path("editor/<slug:slug>/history/", views.editor_history, name="editor-history"),
    path("editor/<slug:slug>/archive/", views.editor_archive, name="editor-archive"),
    path("<slug:slug>/", views.article_detail, name="article"),
    path("<slug:slug>/feedback/", views.article_feedback, name="feedback"),
]
