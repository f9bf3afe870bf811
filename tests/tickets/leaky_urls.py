"""A URLconf with two unscoped staff URLs next to the real ones: the walker in test_access must catch both."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path

from tickets.models import Callback


def leaky_callback(request: HttpRequest, callback_id: int) -> HttpResponse:
    """Reads any team's call-back: the mistake the walker exists to catch."""
    callback = Callback.objects.filter(pk=callback_id).first()
    if callback is None:
        raise Http404
    return HttpResponse(callback.phone)


def widget(request: HttpRequest, widget_id: int) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("agent/leak/<int:callback_id>/", leaky_callback, name="leak"),
    path("api/v1/agent/widgets/<int:widget_id>/", widget, name="widget"),
    path("", include("helpdesk.urls")),
]
