from __future__ import annotations

from django.urls import path

from helpcentre.api.views import HelpSearchView

urlpatterns = [path("help/search/", HelpSearchView.as_view(), name="api-help-search")]
