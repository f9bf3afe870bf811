from __future__ import annotations

from django.urls import path

from tickets.api.agent import QueueView, TakeNextView

urlpatterns = [
    path("queue/", QueueView.as_view(), name="api-agent-queue"),
    path("queue/take-next/", TakeNextView.as_view(), name="api-agent-take-next"),
]
