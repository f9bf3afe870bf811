"""Scam reports from users, and the directory admins' triage (confirm, dismiss, merge).

A report is grouped by the canonical value the checker looks up (``contacts.checker.report_key``), so
"400 612 3465" and "4006123465" are one group. The reporter is only a keyed hash (``reporter_hash``).

Reports can never brand what the directory vouches for a fake (``contacts.checker.official_report_keys``):
reports of a published channel's value or of anything on an official domain are accepted, but their group
is ``disputed`` (triaged by directory admins, never counted by the checker), and confirming it is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.canonical import canonical_qq, canonical_wechat
from contacts.checker import Found, InputProblem, extract, normalise, official_report_keys, report_key
from contacts.models import AskedFor, FormNonce, Platform, ReportedValue, ReportStatus, ScamReport
from contacts.services._common import directory_audit, require_directory_admin
from helpdesk import context, uploads
from helpdesk.audit import snapshot
from helpdesk.middleware import client_network
from helpdesk.models import User
from helpdesk.redaction import redact

_DECISION_FIELDS = ["status", "platform", "merged_into", "decision_note"]
# A public form's token lives this long (contacts.forms); used nonces are kept as long, then pruned.
FORM_TOKEN_MAX_AGE = timedelta(hours=2)


def reporter_network(address: str | None) -> str:
    """The network an anonymous person reports from (``helpdesk.middleware.client_network``), "-" if none."""
    return client_network(address) or "-"


def reporter_hash(*, user_id: int | None, address: str | None) -> str:
    """Who reported, as HMAC-SHA256 with SECRET_KEY: distinct people can be counted, nobody identified.

    One account is one person; an anonymous visitor is their network (``reporter_network``), never their
    User-Agent. The same identity counts distinct reporters and limits the rate (SCAM_REPORT_RATE)."""
    subject = f"user:{user_id}" if user_id else f"net:{reporter_network(address)}"
    key = ("scam-report:" + settings.SECRET_KEY).encode()
    return hmac.new(key, subject.encode(), hashlib.sha256).hexdigest()


def form_nonce_use(*, nonce: str, purpose: str) -> None:
    """Record a public form's single-use token; a second use raises ValidationError (code ``replayed``).

    Called inside the caller's transaction, so a submission that fails leaves the token unused. The unique
    constraint decides between two concurrent submissions of one token."""
    now = timezone.now()
    FormNonce.objects.filter(used_at__lt=now - FORM_TOKEN_MAX_AGE).delete()
    try:
        with transaction.atomic():
            FormNonce.objects.create(nonce=nonce[:64], purpose=purpose[:20], used_at=now)
    except IntegrityError:
        raise ValidationError(
            _("This form was already sent. To send another one, fill in the form below again."),
            code="replayed",
        ) from None


def value_is_official(value: ReportedValue) -> bool:
    """The directory vouches for this value now (see ``contacts.checker.official_report_keys``)."""
    return value.canonical_value in official_report_keys([(value.kind, value.canonical_value)])


@dataclass(frozen=True)
class ReportInput:
    value: str
    found_where: str
    asked_for: Sequence[str] = ()
    platform: Platform | None = None
    details: str = ""
    screenshot: uploads.CleanUpload | None = None


def reported_item(value: str) -> tuple[Found, str]:
    """The first number, link or account in what the user typed, and its group key."""
    try:
        items = extract(normalise(value))
    except InputProblem:
        items = []
    if items:
        return items[0], report_key(items[0])
    text = value.strip()
    for kind, canonical, prefix in (("wechat", canonical_wechat, "wechat:"), ("qq", canonical_qq, "qq:")):
        try:
            return Found(kind, text), prefix + canonical(text)
        except ValidationError:
            continue
    raise ValidationError(
        {"value": [_("Enter the phone number, link, email, WeChat id or QQ number you found.")]}
    )


@transaction.atomic
def scam_report_submit(
    *, data: ReportInput, reporter: str, actor: User | None = None, nonce: str = ""
) -> ScamReport:
    """Store a report. ``nonce`` is the form token's (single use). A report of a value the directory
    vouches for is kept, but its group becomes ``disputed``: it never counts towards ``reported``."""
    found, key = reported_item(data.value)
    unknown = set(data.asked_for) - set(AskedFor.values)
    if unknown:
        raise ValidationError({"asked_for": [_("Choose from the list.")]})
    if nonce:
        form_nonce_use(nonce=nonce, purpose="report")
    key = key[:300]
    official = key in official_report_keys([(found.kind, key)])
    now = timezone.now()
    group, created = ReportedValue.objects.select_for_update().get_or_create(
        canonical_value=key,
        defaults={
            "kind": found.kind,
            "display_value": found.text[:300],
            "platform": data.platform,
            "status": ReportStatus.DISPUTED if official else ReportStatus.OPEN,
            "first_reported_at": now,
            "last_reported_at": now,
        },
    )
    if group.status == ReportStatus.MERGED and group.merged_into_id and not official:
        group = ReportedValue.objects.select_for_update().get(pk=group.merged_into_id)
    if official and not created and group.status != ReportStatus.DISMISSED:
        _dispute(group)
    updates = ["last_reported_at"]
    group.last_reported_at = now
    if group.platform_id is None and data.platform is not None:
        group.platform = data.platform
        updates.append("platform")
    if not created:
        group.save(update_fields=updates)
    screenshot = ""
    if data.screenshot is not None:
        screenshot = uploads.store_private(data.screenshot, folder="scam-reports")
        if uploads.is_quarantined(screenshot):
            transaction.on_commit(lambda: uploads.schedule_sanitize(screenshot))
    report = ScamReport.objects.create(
        target=group,
        value=data.value.strip()[:300],
        found_where=data.found_where,
        asked_for=list(dict.fromkeys(data.asked_for)),
        platform=data.platform,
        details=redact(data.details.strip()).text[:2000],
        screenshot=screenshot,
        screenshot_type=data.screenshot.content_type if data.screenshot else "",
        reporter_hash=reporter,
        created_at=now,
    )
    # Audited without the address: reporters are kept only as the keyed hash, never as an IP.
    with context.without_address():
        directory_audit(
            actor=actor,
            action="scam_report.submit",
            obj=report,
            object_repr=group.display_value,
            after={
                "group": group.pk,
                "found_where": report.found_where,
                "asked_for": report.asked_for,
                "disputed": group.status == ReportStatus.DISPUTED,
            },
        )
    return report


def _dispute(group: ReportedValue) -> None:
    """A reported value the directory now vouches for goes to the admins' disputed list (audited)."""
    if group.status == ReportStatus.DISPUTED:
        return
    before = snapshot(group, _DECISION_FIELDS)
    group.status = ReportStatus.DISPUTED
    group.save(update_fields=["status"])
    # Written while a reporter's request is running: like the report itself, without their address.
    with context.without_address():
        directory_audit(
            actor=None,
            action="scam_report.disputed",
            obj=group,
            before=before,
            after=snapshot(group, _DECISION_FIELDS),
            reason="listed as official in the directory",
        )


def _lock(value: ReportedValue) -> ReportedValue:
    return ReportedValue.objects.select_for_update().get(pk=value.pk)


def _decide(
    *,
    actor: User,
    value: ReportedValue,
    status: str,
    note: str,
    action: str,
    platform: Platform | None = None,
    merged_into: ReportedValue | None = None,
) -> ReportedValue:
    require_directory_admin(actor)
    locked = _lock(value)
    before = snapshot(locked, _DECISION_FIELDS)
    locked.status = status
    locked.decision_note = note.strip()
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    fields = ["status", "decision_note", "decided_by", "decided_at"]
    if platform is not None:
        locked.platform = platform
        fields.append("platform")
    if merged_into is not None:
        locked.merged_into = merged_into
        fields.append("merged_into")
    locked.save(update_fields=fields)
    directory_audit(
        actor=actor,
        action=action,
        obj=locked,
        before=before,
        after=snapshot(locked, _DECISION_FIELDS),
        reason=locked.decision_note,
    )
    return locked


@transaction.atomic
def reported_value_confirm(
    *, actor: User, value: ReportedValue, platform: Platform | None = None, note: str = ""
) -> ReportedValue:
    """A directory admin confirms it is a fake: the checker says ``reported`` from now on. Refused while
    the value is a published channel's or on an official domain: retire or suspend the channel first."""
    require_directory_admin(actor)
    if value.status == ReportStatus.MERGED:
        raise ValidationError(_("This value was merged; decide on the value it was merged into."))
    _refuse_if_official(value)
    return _decide(
        actor=actor,
        value=value,
        status=ReportStatus.CONFIRMED,
        note=note,
        action="scam_report.confirm",
        platform=platform,
    )


@transaction.atomic
def reported_value_dismiss(*, actor: User, value: ReportedValue, note: str) -> ReportedValue:
    """Not a fake (or not enough to say so): reports no longer count towards ``reported``."""
    if not note.strip():
        raise ValidationError({"note": [_("Say why the reports are dismissed.")]})
    if value.status == ReportStatus.MERGED:
        raise ValidationError(_("This value was merged; decide on the value it was merged into."))
    return _decide(
        actor=actor, value=value, status=ReportStatus.DISMISSED, note=note, action="scam_report.dismiss"
    )


@transaction.atomic
def reported_value_merge(
    *, actor: User, value: ReportedValue, into: ReportedValue, note: str = ""
) -> ReportedValue:
    """The same scam under another spelling or address: its reports move to ``into`` and the checker
    reads ``into``'s state for both values."""
    require_directory_admin(actor)
    if into.pk == value.pk:
        raise ValidationError(_("A value cannot be merged into itself."))
    for side in (value, into):
        if side.status == ReportStatus.DISPUTED:
            raise ValidationError(_("Disputed values cannot be merged; dismiss the reports instead."))
        _refuse_if_official(side)
    target = _lock(into)
    if target.status == ReportStatus.MERGED:
        raise ValidationError(_("That value was itself merged; merge into the value it was merged into."))
    merged = _decide(
        actor=actor,
        value=value,
        status=ReportStatus.MERGED,
        note=note,
        action="scam_report.merge",
        merged_into=target,
    )
    ScamReport.objects.filter(target=merged).update(target=target)
    ReportedValue.objects.filter(merged_into=merged).update(merged_into=target)
    fields = ["first_reported_at", "last_reported_at"]
    target.first_reported_at = min(target.first_reported_at, merged.first_reported_at)
    target.last_reported_at = max(target.last_reported_at, merged.last_reported_at)
    if target.platform_id is None and merged.platform_id is not None:
        target.platform_id = merged.platform_id
        fields.append("platform")
    target.save(update_fields=fields)
    return merged


def _refuse_if_official(value: ReportedValue) -> None:
    if value_is_official(value):
        raise ValidationError(
            _(
                "%(value)s is listed as official in the directory (a published channel or an official "
                "domain), so it cannot be called a fake. If it really was taken over, suspend or retire the "
                "channel or domain first."
            )
            % {"value": value.display_value},
            code="official",
        )
