from __future__ import annotations

from django.urls import path

from tickets.claims import views

app_name = "tickets"

urlpatterns = [
    path("", views.claim_list, name="list"),
    path("new/", views.claim_new, name="new"),
    path("new/account/", views.claim_new_account, name="new_account"),
    path("new/finish/", views.claim_new_finish, name="new_finish"),
    path("<str:reference>/", views.claim_detail, name="detail"),
    path("<str:reference>/reply/", views.claim_reply, name="reply"),
    path("<str:reference>/evidence/", views.claim_add_evidence, name="add_evidence"),
    path("<str:reference>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("<str:reference>/callback/", views.claim_callback, name="callback"),
    path("<str:reference>/withdraw/", views.claim_withdraw, name="withdraw"),
    path("<str:reference>/confirm/", views.claim_confirm, name="confirm"),
    path("<str:reference>/reopen/", views.claim_reopen, name="reopen"),
    path("<str:reference>/rate/", views.claim_rate, name="rate"),
    path("<str:reference>/export/", views.claim_export, name="export"),
]
