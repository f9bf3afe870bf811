"""A person's data under PIPL (最小必要): export, account deletion after a cooling-off period, retention.

- **Export** (``data_export_request``): a ``DataExport`` row and an outbox event in one transaction; a
  worker builds a zip (``data.json`` + the person's evidence files) and the person downloads it through a
  signed link for ``DATA_EXPORT_TTL``.
- **Deletion** (``deletion_request`` / ``deletion_cancel``): scheduled for ``ACCOUNT_DELETION_COOLING_OFF``
  later; then ``account_erase`` clears the account's personal fields, erases every claim's personal data and
  evidence (the claims stay as anonymised statistics: platform, problem type, times, status, rating), deletes
  notifications, tokens, idempotency records, sign-in records and exports, and records a ``Pseudonym``.
  The audit trail is append-only (a trigger refuses UPDATE): its rows keep the actor id and the e-mail they
  were written with; staff read them through the pseudonym (``display_actor``), and the rows themselves
  are kept as the accountability record PIPL art. 54 expects.
- **Retention** (``retention_sweep``, run by ``helpdesk.prune``): closed claims' personal data and evidence
  after ``RETENTION_CLOSED_CLAIMS``, scam-report screenshots after ``RETENTION_SCAM_REPORTS``. Set-based,
  batched, audited, idempotent (``ClaimErasure`` is unique per claim).
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import zipfile
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import ScamReport
from helpdesk.audit import audit_record
from helpdesk.models import (
    ApiToken,
    IdempotencyRecord,
    Notification,
    NotificationPreference,
    User,
)
from helpdesk.outbox import outbox_write
from helpdesk.uploads import delete_private
from insights.models import (
    ClaimErasure,
    DataExport,
    DeletionRequest,
    DeletionStatus,
    ExportStatus,
    Pseudonym,
)
from integrations.models import Outreach, PlatformEvent
from tickets.claims.services import claim_withdraw
from tickets.models import OPEN_STATUSES, Callback, CallbackAttempt, Claim, ClaimEvent, Evidence

logger = logging.getLogger(__name__)

ERASED = "—"
EXPORT_SALT = "insights.data-export"

# A claim's personal fields and what they become; the rest (platform, problem type, amounts, times, status,
# priority, rating) is the anonymised statistic the reports and scorecards are built on.
CLAIM_ERASURE: dict[str, Any] = {
    "subject": ERASED,
    "order_number": ERASED,
    "product": ERASED,
    "transaction_id": "",
    "description": ERASED,
    "contact_phone": "",
    "late_reason": "",
    "rating_comment": "",
    "urgency_parts": {},
}


def _delete_files(names: list[str]) -> None:
    for name in names:
        delete_private(name)


# --- erasing claims (retention and deletion share it) ------------------------------------------------------
def erase_claims(claim_ids: Iterable[int], *, reason: str) -> int:
    """Erase the personal data of these claims (set-based, one transaction); returns how many were erased
    now (claims already erased are skipped)."""
    ids = list(claim_ids)
    with transaction.atomic():
        fresh = list(
            Claim.objects.filter(pk__in=ids).exclude(erasure__isnull=False).values_list("pk", flat=True)
        )
        if not fresh:
            return 0
        names = list(Evidence.objects.filter(claim_id__in=fresh).values_list("storage_name", flat=True))
        Evidence.objects.filter(claim_id__in=fresh).delete()
        CallbackAttempt.objects.filter(callback__claim_id__in=fresh).update(note="")
        Callback.objects.filter(claim_id__in=fresh).update(phone="", result="")
        ClaimEvent.objects.filter(claim_id__in=fresh).update(body="", data={}, actor_label="")
        Claim.objects.filter(pk__in=fresh).update(**CLAIM_ERASURE, merged_into=None)
        ClaimErasure.objects.bulk_create([ClaimErasure(claim_id=pk, reason=reason) for pk in fresh])
        audit_record(
            actor=None,
            action="privacy.claims_erased",
            object_type="tickets.claim",
            object_id=str(fresh[0]),
            after={"claim_ids": fresh, "reason": reason, "evidence_files": len(names)},
        )
        # Files go once the erasure is committed (a rollback keeps them with their rows).
        transaction.on_commit(lambda: _delete_files(names))
    return len(fresh)


def retention_sweep() -> int:
    """Closed claims past ``RETENTION_CLOSED_CLAIMS`` and scam-report screenshots past
    ``RETENTION_SCAM_REPORTS``; returns how many claims and screenshots were erased."""
    now = timezone.now()
    size = settings.PRUNE_BATCH_SIZE
    claim_cutoff = now - settings.RETENTION_CLOSED_CLAIMS
    due = (
        Claim.objects.exclude(status__in=OPEN_STATUSES)
        .filter(Q(closed_at__lt=claim_cutoff) | Q(closed_at__isnull=True, resolved_at__lt=claim_cutoff))
        .filter(erasure__isnull=True)
        .order_by()
    )
    total = 0
    while True:
        ids = list(due.values_list("pk", flat=True)[:size])
        if not ids:
            break
        total += erase_claims(ids, reason="retention")
        if len(ids) < size:
            break
    report_cutoff = now - settings.RETENTION_SCAM_REPORTS
    reports = ScamReport.objects.filter(created_at__lt=report_cutoff).exclude(screenshot="").order_by()
    while True:
        batch = list(reports.values_list("pk", "screenshot")[:size])
        if not batch:
            break
        with transaction.atomic():
            ids = [pk for pk, _name in batch]
            ScamReport.objects.filter(pk__in=ids).update(screenshot="", screenshot_type="")
            audit_record(
                actor=None,
                action="privacy.screenshots_erased",
                object_type="contacts.scamreport",
                object_id=str(ids[0]),
                after={"report_ids": ids},
            )
            names = [name for _pk, name in batch]
            transaction.on_commit(partial(_delete_files, names))
        total += len(batch)
        if len(batch) < size:
            break
    return total


# --- export -----------------------------------------------------------------------------------------------
def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export_payload(user: User) -> dict[str, Any]:
    """Everything ClaimDesk holds about this person, as JSON values (the zip adds their evidence files)."""
    preference = NotificationPreference.objects.filter(user=user).first()
    claims = []
    for claim in (
        Claim.objects.filter(customer=user).select_related("platform", "problem_type").order_by("id")
    ):
        claims.append(
            {
                "reference": claim.reference,
                "platform": claim.platform.name,
                "problem_type": claim.problem_type.slug,
                "status": claim.status,
                **{
                    field: _iso(getattr(claim, field))
                    for field in (
                        "subject",
                        "order_number",
                        "product",
                        "transaction_id",
                        "description",
                        "contact_phone",
                        "preferred_contact",
                        "desired_outcome",
                        "payment_channel",
                        "late_reason",
                        "rating",
                        "rating_comment",
                        "created_at",
                        "resolved_at",
                        "closed_at",
                        "paid_at",
                        "access_lost_at",
                    )
                },
                "amount": str(claim.amount),
                "currency": claim.currency,
                "timeline": [
                    {"kind": e.kind, "body": e.body, "at": _iso(e.created_at)}
                    for e in claim.events.filter(is_internal=False).order_by("created_at", "id")
                ],
                "evidence": [
                    {"file": f"evidence/{ev.pk}-{ev.original_name}", "type": ev.content_type, "size": ev.size}
                    for ev in claim.evidence.order_by("id")
                ],
                "callbacks": [
                    {"phone": cb.phone, "status": cb.status, "due_at": _iso(cb.due_at)}
                    for cb in claim.callbacks.order_by("id")
                ],
            }
        )
    return {
        "generated_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "phone": user.phone,
            "phone_verified_at": _iso(user.phone_verified_at),
            "language": user.language,
            "role": user.role,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "notification_settings": {
            "email": preference.email if preference else True,
            "sms": preference.sms if preference else False,
            "email_consent_at": _iso(getattr(preference, "email_consent_at", None)),
            "sms_consent_at": _iso(getattr(preference, "sms_consent_at", None)),
        },
        "notifications": [
            {"event": n.event, "title": n.title, "body": n.body, "at": _iso(n.created_at)}
            for n in Notification.objects.filter(user=user).order_by("id")
        ],
        "api_tokens": [
            {"client": t.name, "issued": _iso(t.created_at), "expires": _iso(t.expires_at)}
            for t in ApiToken.objects.filter(user=user).order_by("id")
        ],
        "claims": claims,
        # What platforms told ClaimDesk about this person (integrations/), and ClaimDesk's outreach to them.
        "platform_events": [
            {
                "platform": e.platform.name,
                "type": e.type,
                "occurred_at": _iso(e.occurred_at),
                "order_number": e.order_number,
                "amount": str(e.amount) if e.amount is not None else None,
                "product": e.product,
                "order_status": e.order_status,
            }
            for e in PlatformEvent.objects.filter(customer=user).select_related("platform").order_by("id")
        ],
        "outreaches": [
            {
                "platform": o.platform.name,
                "created_at": _iso(o.created_at),
                "orders": [
                    {
                        "order_number": x.order_number,
                        "amount": str(x.amount) if x.amount is not None else None,
                    }
                    for x in o.orders.all()
                ],
            }
            for o in Outreach.objects.filter(customer=user)
            .select_related("platform")
            .prefetch_related("orders")
            .order_by("id")
        ],
    }


def data_export_request(*, user: User) -> DataExport:
    """Ask for a copy; one export is prepared at a time (asking again returns the one being prepared)."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        pending = DataExport.objects.filter(user=user, status=ExportStatus.PENDING).first()
        if pending is not None:
            return pending
        export = DataExport.objects.create(user=user)
        audit_record(actor=user, action="privacy.export_requested", obj=export)
        outbox_write(event="data_export.requested", payload={"export_id": export.pk})
    return export


def data_export_build(export_id: int) -> bool:
    """Build the zip once (a conditional claim on the pending row); True if this call built it."""
    export = DataExport.objects.filter(pk=export_id, status=ExportStatus.PENDING, storage_name="").first()
    if export is None:
        return False
    user = export.user
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(export_payload(user), ensure_ascii=False, indent=2))
        for evidence in Evidence.objects.filter(claim__customer=user).order_by("id"):
            if default_storage.exists(evidence.storage_name):
                with default_storage.open(evidence.storage_name, "rb") as handle:
                    archive.writestr(f"evidence/{evidence.pk}-{evidence.original_name}", handle.read())
    name = default_storage.save(f"exports/{secrets.token_hex(16)}.zip", ContentFile(buffer.getvalue()))
    now = timezone.now()
    with transaction.atomic():
        claimed = DataExport.objects.filter(
            pk=export_id, status=ExportStatus.PENDING, storage_name=""
        ).update(
            status=ExportStatus.READY,
            storage_name=name,
            size=len(buffer.getvalue()),
            ready_at=now,
            expires_at=now + settings.DATA_EXPORT_TTL,
        )
        if not claimed:  # built concurrently by another worker: ours is surplus
            transaction.on_commit(lambda: delete_private(name))
            return False
        from helpdesk.notifications import notify

        notify(
            user_ids=[user.pk],
            event="data_export.ready",
            context={},
            url="/accounts/privacy/",
            dedupe_key=f"export:{export_id}",
        )
    return True


def export_token(export: DataExport) -> str:
    return signing.TimestampSigner(salt=EXPORT_SALT).sign(f"{export.pk}:{export.user_id}")


def export_for_token(token: str, *, user: User) -> DataExport | None:
    """The ready export this signed link names, if it is the signed-in person's and not expired."""
    try:
        value = signing.TimestampSigner(salt=EXPORT_SALT).unsign(token, max_age=settings.DATA_EXPORT_TTL)
    except signing.BadSignature:
        return None
    export_id, _sep, user_id = value.partition(":")
    if not export_id.isdigit() or user_id != str(user.pk):
        return None
    return DataExport.objects.filter(
        pk=int(export_id), user=user, status=ExportStatus.READY, expires_at__gt=timezone.now()
    ).first()


def expire_exports() -> int:
    expired = list(
        DataExport.objects.filter(status=ExportStatus.READY, expires_at__lte=timezone.now()).values_list(
            "pk", "storage_name"
        )
    )
    for pk, name in expired:
        with transaction.atomic():
            if DataExport.objects.filter(pk=pk, status=ExportStatus.READY).update(
                status=ExportStatus.EXPIRED, storage_name=""
            ):
                transaction.on_commit(partial(delete_private, name))
    return len(expired)


# --- deletion ---------------------------------------------------------------------------------------------
def deletion_request(*, user: User) -> DeletionRequest:
    if user.is_staff_role:
        raise ValidationError(_("Staff accounts are closed by an administrator."), code="staff")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = DeletionRequest.objects.filter(user=user, status=DeletionStatus.SCHEDULED).first()
        if existing is not None:
            return existing
        request = DeletionRequest.objects.create(
            user=user, due_at=timezone.now() + settings.ACCOUNT_DELETION_COOLING_OFF
        )
        audit_record(
            actor=user, action="privacy.deletion_requested", obj=request, after={"due_at": request.due_at}
        )
    return request


def deletion_cancel(*, user: User) -> bool:
    with transaction.atomic():
        count = DeletionRequest.objects.filter(user=user, status=DeletionStatus.SCHEDULED).update(
            status=DeletionStatus.CANCELLED
        )
        if count:
            audit_record(
                actor=user,
                action="privacy.deletion_cancelled",
                object_type="helpdesk.user",
                object_id=user.pk,
            )
    return bool(count)


def display_actor(user_id: int | None, label: str) -> str:
    """How staff pages should name an audit row's actor: a deleted person appears by pseudonym."""
    if user_id is not None:
        pseudonym = Pseudonym.objects.filter(user_id=user_id).values_list("label", flat=True).first()
        if pseudonym:
            return pseudonym
    return label


def account_erase(*, request_id: int) -> bool:
    """Carry out a due deletion request once; True if this call did it."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    with transaction.atomic():
        request = (
            DeletionRequest.objects.select_for_update()
            .filter(pk=request_id, status=DeletionStatus.SCHEDULED, due_at__lte=timezone.now())
            .first()
        )
        if request is None or request.user_id is None:
            return False
        user = User.objects.select_for_update().get(pk=request.user_id)
        identifiers = [value for value in (user.email, user.phone) if value]
        # Open claims are withdrawn first through the one service (timeline, audit, platform webhook), so
        # nobody keeps working on a claim whose customer is gone.
        for claim in Claim.objects.filter(customer=user, status__in=OPEN_STATUSES):
            claim_withdraw(claim=claim, actor=user, reason="")
        claim_ids = list(Claim.objects.filter(customer=user).values_list("pk", flat=True))
        label = f"deleted-{secrets.token_hex(6)}"
        Pseudonym.objects.create(user_id=user.pk, label=label)
        for name in (
            DataExport.objects.filter(user=user)
            .exclude(storage_name="")
            .values_list("storage_name", flat=True)
        ):
            transaction.on_commit(partial(delete_private, name))
        DataExport.objects.filter(user=user).delete()
        Notification.objects.filter(user=user).delete()
        ApiToken.objects.filter(user=user).delete()
        Outreach.objects.filter(customer=user).delete()
        PlatformEvent.objects.filter(customer=user).delete()
        NotificationPreference.objects.filter(user=user).delete()
        IdempotencyRecord.objects.filter(client=f"user:{user.pk}").delete()
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username__in=identifiers).delete()
        user.email = f"{label}@deleted.invalid"
        user.display_name = ""
        user.first_name = ""
        user.last_name = ""
        user.phone = ""
        user.phone_verified_at = None
        user.language = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        request.status = DeletionStatus.DONE
        request.done_at = timezone.now()
        request.pseudonym = label
        request.save(update_fields=["status", "done_at", "pseudonym"])
        audit_record(
            actor=None,
            action="privacy.account_erased",
            object_type="helpdesk.user",
            object_id=user.pk,
            object_repr=label,
            after={"claims": len(claim_ids)},
        )
    for start in range(0, len(claim_ids), settings.PRUNE_BATCH_SIZE):
        erase_claims(claim_ids[start : start + settings.PRUNE_BATCH_SIZE], reason="account_deleted")
    return True


def run_due_deletions() -> int:
    due = list(
        DeletionRequest.objects.filter(
            status=DeletionStatus.SCHEDULED, due_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:500]
    )
    return sum(1 for pk in due if account_erase(request_id=pk))


def retention_periods() -> dict[str, timedelta]:
    """The periods the privacy notice states: read from the same settings the sweeps use."""
    return {
        "closed_claims": settings.RETENTION_CLOSED_CLAIMS,
        "scam_reports": settings.RETENTION_SCAM_REPORTS,
        "deletion_cooling_off": settings.ACCOUNT_DELETION_COOLING_OFF,
        "export_link": settings.DATA_EXPORT_TTL,
        "outbox": settings.OUTBOX_RETENTION,
    }
