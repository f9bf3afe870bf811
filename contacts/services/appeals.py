"""Appeals: the owner of a reported number, link or account asks directory admins to lift the reports.

Anyone may appeal through the public form (bot-checked and single-use like the report form). A directory
admin upholds the reports or lifts them; lifting dismisses the reported value, so the checker stops saying
``reported``. Every step is audited; the appellant's contact details never enter the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Appeal, AppealStatus, AppellantRole, ReportedValue, ReportStatus
from contacts.services._common import directory_audit, require_directory_admin
from contacts.services.reports import form_nonce_use, reported_item, reported_value_dismiss
from helpdesk import context
from helpdesk.audit import snapshot
from helpdesk.models import User
from helpdesk.redaction import redact

_FIELDS = ["status", "reported_value", "decision_note"]


@dataclass(frozen=True)
class AppealInput:
    value: str
    appellant_name: str
    appellant_role: str
    contact: str
    explanation: str


def masked_contact(contact: str) -> str:
    """``kefu@example.cn`` → ``k***@example.cn``, ``13800138000`` → ``138****8000``: enough for an admin
    reading the audit trail to tell two appeals apart, not enough to reach the person."""
    text = contact.strip()
    local, at, domain = text.partition("@")
    if at:
        return f"{local[:1]}***@{domain}"
    if len(text) <= 4:
        return "***"
    return f"{text[:3]}****{text[-4:]}" if len(text) >= 8 else f"{text[:1]}***{text[-1:]}"


def _current(value: ReportedValue | None) -> ReportedValue | None:
    """The value a decision applies to: a merged value's decisions are taken on its target."""
    while value is not None and value.status == ReportStatus.MERGED and value.merged_into_id:
        value = ReportedValue.objects.select_for_update().get(pk=value.merged_into_id)
    return value


@transaction.atomic
def appeal_submit(*, data: AppealInput, submitter: str, nonce: str = "") -> Appeal:
    """Record an appeal against the reports of ``data.value``. Only reported values can be appealed."""
    _found, key = reported_item(data.value)
    if data.appellant_role not in AppellantRole.values:
        raise ValidationError({"appellant_role": [_("Choose from the list.")]})
    target = _current(ReportedValue.objects.filter(canonical_value=key[:300]).first())
    if target is None:
        raise ValidationError(
            {"value": [_("Nobody has reported this number, link or account, so there is nothing to appeal.")]}
        )
    if nonce:
        form_nonce_use(nonce=nonce, purpose="appeal")
    appeal = Appeal.objects.create(
        value=data.value.strip()[:300],
        canonical_value=key[:300],
        reported_value=target,
        appellant_name=data.appellant_name.strip()[:120],
        appellant_role=data.appellant_role,
        contact=data.contact.strip()[:200],
        explanation=redact(data.explanation.strip()).text[:4000],
        submitter_hash=submitter,
        created_at=timezone.now(),
    )
    # Like reports: no address in the audit trail, and the contact only masked.
    with context.without_address():
        directory_audit(
            actor=None,
            action="appeal.submit",
            obj=appeal,
            object_repr=target.display_value,
            after={
                "reported_value": target.pk,
                "appellant_role": appeal.appellant_role,
                "contact": masked_contact(appeal.contact),
            },
        )
    return appeal


@transaction.atomic
def appeal_decide(*, actor: User, appeal: Appeal, decision: str, note: str) -> Appeal:
    """``uphold``: the reports stay. ``lift``: the reported value is dismissed (audited as a dismissal
    too), so the checker's verdict goes back to what the directory alone says."""
    require_directory_admin(actor)
    if decision not in ("uphold", "lift"):
        raise ValidationError({"decision": [_("Choose from the list.")]})
    if not note.strip():
        raise ValidationError({"note": [_("Say why, for the record and for the appellant.")]})
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if locked.status != AppealStatus.OPEN:
        raise ValidationError(_("This appeal was already decided."), code="decided")
    before = snapshot(locked, _FIELDS)
    target = _current(locked.reported_value)
    if decision == "lift" and target is not None and target.status != ReportStatus.DISMISSED:
        reported_value_dismiss(
            actor=actor,
            value=target,
            note=_("Appeal #%(id)s lifted: %(note)s") % {"id": locked.pk, "note": note.strip()},
        )
    locked.status = AppealStatus.LIFTED if decision == "lift" else AppealStatus.UPHELD
    locked.reported_value = target
    locked.decision_note = note.strip()
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reported_value", "decision_note", "decided_by", "decided_at"])
    directory_audit(
        actor=actor,
        action=f"appeal.{decision}",
        obj=locked,
        object_repr=locked.value,
        before=before,
        after=snapshot(locked, _FIELDS),
        reason=locked.decision_note,
    )
    return locked
