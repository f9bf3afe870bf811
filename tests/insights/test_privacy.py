"""PIPL: export everything we hold about a person, delete an account after a cooling-off period leaving
nothing personal, retention sweeps (idempotent, audited), consent recorded with its time."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

from contacts.models import ReportedValue, ScamReport
from helpdesk.api_tokens import api_token_issue
from helpdesk.models import AuditEntry, Notification, NotificationPreference, User
from helpdesk.notifications import notification_preference_set
from helpdesk.outbox import relay
from insights import privacy
from insights.models import ClaimErasure, DataExport, DeletionRequest, ExportStatus
from tests.factories import ClaimFactory, UserFactory
from tickets.models import Callback, CallbackAttempt, Claim, ClaimEvent, Evidence

pytestmark = pytest.mark.django_db

EMAIL = "zhang.wei.private@example.com"
PHONE = "+8613912345678"


def deliver() -> None:
    while relay():
        pass


@pytest.fixture
def person(platform):
    """A customer with a row in every model that holds personal data about a customer."""
    user = UserFactory(email=EMAIL, display_name="张伟", phone=PHONE, phone_verified_at=timezone.now())
    notification_preference_set(user=user, email=True, sms_enabled=True)
    api_token_issue(user=user, otp_verified=False, client_name="我的手机")
    claim = ClaimFactory(
        customer=user,
        platform=platform,
        contact_phone=PHONE,
        description=f"请打 {PHONE} 或发邮件到 {EMAIL}",
        order_number="ORD-PRIVATE-1",
        status="closed",
        closed_at=timezone.now(),
        rating=2,
        rating_comment=f"联系 {PHONE}",
    )
    ClaimEvent.objects.create(claim=claim, kind="customer_reply", actor=user, body=f"我的电话 {PHONE}")
    name = default_storage.save("evidence/test/receipt.png", ContentFile(b"\x89PNG-receipt-bytes"))
    Evidence.objects.create(
        claim=claim, storage_name=name, sha256="a" * 64, content_type="image/png", size=18,
        original_name="receipt.png", uploaded_by=user,
    )  # fmt: skip
    callback = Callback.objects.create(
        claim=claim, phone=PHONE, reason="customer", due_at=timezone.now(), code="4821"
    )
    CallbackAttempt.objects.create(callback=callback, outcome="no_answer", note=f"打了 {PHONE}")
    Notification.objects.create(user=user, event="claim.filed", title="理赔已提交", body=f"{EMAIL}")
    return user


# Models with a link to a person and whether the export covers them (a new model fails until decided).
EXPORTED = {
    "helpdesk.notificationpreference",
    "helpdesk.notification",
    "helpdesk.apitoken",
    "tickets.claim",
    "insights.dataexport",  # the export itself: its status is the page, the file is the export
    "insights.deletionrequest",  # shown on the privacy page
    "integrations.platformevent",  # what platforms told us about the person (deleted with the account)
    "integrations.outreach",  # our outreach to the person (deleted with the account)
}
NOT_ABOUT_THE_CUSTOMER = {
    # reached through the claim (exported with it; their user link names the agent or uploader)
    "tickets.callback", "tickets.callbackattempt", "tickets.claimevent", "tickets.evidence",
    # staff-side links (the person acted as staff, or the row names staff): not a customer's data
    "tickets.team", "tickets.teammembership", "contacts.contactchannel", "contacts.channelproposal",
    "contacts.channelevidence", "contacts.reportedvalue", "contacts.appeal", "helpdesk.platformapikey",
    "insights.scorecardresponse", "helpdesk.auditentry", "admin.logentry", "otp_totp.totpdevice",
    "otp_static.staticdevice", "auth.permission", "auth.group",
    # directory and help-centre records name the staff who proposed, approved or wrote them
    "contacts.officialdomain", "contacts.domainproposal", "helpcentre.articlerevision", "helpcentre.article",
}  # fmt: skip


def test_every_model_linked_to_a_person_is_exported_or_documented():
    user_model = apps.get_model("helpdesk", "User")
    linked = {
        model._meta.label_lower
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "related_model", None) is user_model and field.concrete
    }
    assert linked - EXPORTED - NOT_ABOUT_THE_CUSTOMER == set()


def test_the_export_holds_everything_about_the_person(person, other_customer, settings):
    ClaimFactory(customer=other_customer, description="别人的索赔")
    export = privacy.data_export_request(user=person)
    with mock.patch("insights.tasks.build_data_export.delay") as enqueue:
        deliver()  # the outbox hands the build to a worker
    enqueue.assert_called_once_with(export.pk)
    assert privacy.data_export_build(export.pk) is True
    assert privacy.data_export_build(export.pk) is False  # built once
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    with default_storage.open(export.storage_name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    data = json.loads(archive.read("data.json"))
    text = json.dumps(data, ensure_ascii=False)
    for value in (EMAIL, PHONE, "张伟", "ORD-PRIVATE-1", f"我的电话 {PHONE}", "理赔已提交", f"联系 {PHONE}"):
        assert value in text, value
    assert "别人的索赔" not in text
    assert data["notification_settings"]["sms"] is True and data["notification_settings"]["sms_consent_at"]
    (claim,) = data["claims"]
    assert claim["callbacks"][0]["phone"] == PHONE
    evidence_name = claim["evidence"][0]["file"]
    assert archive.read(evidence_name) == b"\x89PNG-receipt-bytes"


def test_the_download_link_is_signed_personal_and_expires(
    person, other_customer, login_as, django_capture_on_commit_callbacks
):
    export = privacy.data_export_request(user=person)
    privacy.data_export_build(export.pk)
    export.refresh_from_db()
    client = login_as(person)
    page = client.get("/accounts/privacy/").content.decode()
    (token,) = re.findall(r'href="/accounts/privacy/export/([^"/]+)/"', page)
    response = client.get(f"/accounts/privacy/export/{token}/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert client.get(f"/accounts/privacy/export/{token}x/").status_code == 404
    assert login_as(other_customer).get(f"/accounts/privacy/export/{token}/").status_code == 404
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert login_as(person).get(f"/accounts/privacy/export/{token}/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert privacy.expire_exports() == 1
    assert not default_storage.exists(export.storage_name)


def test_the_api_asks_for_an_export(person, client):
    from tests.support.auth import issue_token

    token = issue_token(person)
    response = client.post("/api/v1/me/export/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    again = client.post("/api/v1/me/export/", HTTP_AUTHORIZATION=f"Token {token}")
    assert again.json()["id"] == response.json()["id"]
    assert client.post("/api/v1/me/export/").status_code in (401, 403)


def _personal_text_anywhere(values: tuple[str, ...]) -> list[str]:
    """Every text/char/JSON field of every model, searched for the values (AuditEntry excepted: the audit
    trail is append-only; see insights/privacy.py and README)."""
    found = []
    for model in apps.get_models():
        if model is AuditEntry or model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not isinstance(f, models.GeneratedField)
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            text = json.dumps(row, ensure_ascii=False, default=str)
            found += [f"{model._meta.label}: {value}" for value in values if value in text]
    return found


def test_account_deletion_waits_can_be_cancelled_and_then_leaves_nothing_personal(person, login_as):
    before = _personal_text_anywhere((EMAIL, PHONE, "张伟", "ORD-PRIVATE-1"))
    assert {entry.split(":")[0] for entry in before} >= {"helpdesk.User", "tickets.Claim", "tickets.Callback"}
    client = login_as(person)
    assert client.post("/accounts/privacy/delete/").status_code == 302
    request = DeletionRequest.objects.get(user=person, status="scheduled")
    assert request.due_at > timezone.now() + timedelta(days=6)
    assert privacy.run_due_deletions() == 0  # cooling off
    client.post("/accounts/privacy/delete/cancel/")
    assert DeletionRequest.objects.get(pk=request.pk).status == "cancelled"
    client.post("/accounts/privacy/delete/")
    still_open = ClaimFactory(customer=person, status="open", contact_phone=PHONE)
    DeletionRequest.objects.filter(status="scheduled").update(due_at=timezone.now())
    files = list(Evidence.objects.values_list("storage_name", flat=True))
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert privacy.run_due_deletions() == 1
    assert privacy.run_due_deletions() == 0
    assert _personal_text_anywhere((EMAIL, PHONE, "张伟", "ORD-PRIVATE-1")) == []
    assert not any(default_storage.exists(name) for name in files)
    user = User.objects.get(pk=person.pk)
    assert not user.is_active and not user.has_usable_password()
    claim = Claim.objects.get(customer=user, rating=2)
    assert (claim.platform_id, claim.status) == (person.claims.first().platform_id, "closed")
    assert Claim.objects.get(pk=still_open.pk).status == "withdrawn"
    assert AuditEntry.objects.filter(action="privacy.account_erased").exists()
    assert privacy.display_actor(person.pk, EMAIL).startswith("deleted-")
    from django.contrib import admin as django_admin

    audit_admin = django_admin.site._registry[AuditEntry]
    written_before = AuditEntry.objects.filter(actor=person).first()
    assert written_before.actor_label == EMAIL  # append-only: the row is not rewritten
    assert audit_admin.who(written_before).startswith("deleted-")  # but staff see the pseudonym


def test_staff_cannot_delete_their_account_here(agent):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        privacy.deletion_request(user=agent)


def test_the_retention_sweep_erases_old_closed_claims_and_screenshots_once(person, platform, settings):
    settings.RETENTION_CLOSED_CLAIMS = timedelta(days=30)
    settings.RETENTION_SCAM_REPORTS = timedelta(days=10)
    old = Claim.objects.get(customer=person)
    Claim.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=31))
    recent = ClaimFactory(customer=person, status="closed", closed_at=timezone.now() - timedelta(days=29))
    still_open = ClaimFactory(customer=person, status="open", created_at=timezone.now() - timedelta(days=90))
    shot = default_storage.save("scam-reports/shot.png", ContentFile(b"png"))
    target = ReportedValue.objects.create(canonical_value="+8640000000", kind="phone", display_value="400")
    report = ScamReport.objects.create(
        target=target, value="400", found_where="other", screenshot=shot, screenshot_type="image/png",
        reporter_hash="x", created_at=timezone.now() - timedelta(days=11),
    )  # fmt: skip
    evidence = list(Evidence.objects.filter(claim=old).values_list("storage_name", flat=True))
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert privacy.retention_sweep() == 2
    old.refresh_from_db()
    assert old.description == "—" and old.contact_phone == "" and not old.evidence.exists()
    assert not any(default_storage.exists(name) for name in evidence)
    assert Callback.objects.get(claim=old).phone == ""
    assert ClaimEvent.objects.filter(claim=old).exclude(body="").count() == 0
    assert Claim.objects.get(pk=recent.pk).description != "—"
    assert Claim.objects.get(pk=still_open.pk).description != "—"
    report.refresh_from_db()
    assert report.screenshot == "" and not default_storage.exists(shot)
    assert AuditEntry.objects.filter(action="privacy.claims_erased").count() == 1
    assert AuditEntry.objects.filter(action="privacy.screenshots_erased").count() == 1
    assert privacy.retention_sweep() == 0  # idempotent
    assert AuditEntry.objects.filter(action__startswith="privacy.").count() == 2
    assert ClaimErasure.objects.get(claim=old).reason == "retention"


def test_the_sweep_runs_with_helpdesk_prune(settings, person):
    from helpdesk.retention import prune

    settings.RETENTION_CLOSED_CLAIMS = timedelta(seconds=0)
    Claim.objects.update(closed_at=timezone.now() - timedelta(days=1))
    assert prune()["personal_data_retention"] == 1


def test_consent_is_recorded_with_its_time(customer, login_as):
    login_as(customer).post("/notifications/settings/", {"email": "on", "sms": ""})
    preference = NotificationPreference.objects.get(user=customer)
    assert preference.email_consent_at and preference.sms_consent_at
    first = preference.sms_consent_at
    notification_preference_set(user=customer, email=True, sms_enabled=False)  # no change: same times
    assert NotificationPreference.objects.get(user=customer).sms_consent_at == first
    notification_preference_set(user=customer, email=True, sms_enabled=True)
    assert NotificationPreference.objects.get(user=customer).sms_consent_at > first


def test_the_privacy_notice_states_the_configured_periods(client, settings):
    settings.RETENTION_CLOSED_CLAIMS = timedelta(days=2 * 365)
    settings.RETENTION_SCAM_REPORTS = timedelta(days=90)
    client.cookies["claimdesk_language"] = "en"
    page = client.get("/privacy/").content.decode()
    assert "2 years" in page and "90 days" in page
    assert "/privacy/" in client.get("/").content.decode()  # footer link
