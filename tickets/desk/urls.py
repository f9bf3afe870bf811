from __future__ import annotations

from django.urls import path

from tickets.desk import supervisor_views as desk_views
from tickets.desk import views

app_name = "agent"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/take-next/", views.take_next, name="take_next"),
    path("queue/bulk/", views.bulk, name="bulk"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("supervisor/routing/", views.routing_rules, name="routing_rules"),
    path("supervisor/canned-replies/", desk_views.macros, name="macros"),
    path("supervisor/sla-policies/", desk_views.sla_policies, name="sla_policies"),
    path("tickets/<str:reference>/", views.ticket, name="ticket"),
    path("tickets/<str:reference>/presence/", views.presence, name="presence"),
    path("tickets/<str:reference>/timeline/", views.timeline, name="timeline"),
    path("tickets/<str:reference>/evidence/<int:evidence_id>/", views.evidence, name="evidence"),
    path("tickets/<str:reference>/<slug:action>/", views.ticket_action, name="action"),
]
