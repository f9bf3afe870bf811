"""The review-overdue sweep: verified channels past ``review_due_at`` are shown as "review overdue".

Set-based and idempotent: each batch claims rows with ``SKIP LOCKED`` (a second beat or a slow worker
takes other rows or none), flips them with one conditional UPDATE, writes their history and audit rows in
bulk, and one notification (bell + email, through the outbox, so after commit) alerts the directory
admins. Running it again finds nothing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from contacts import versioning
from contacts.models import ChannelHistory, ChannelState, ContactChannel, HistoryAction
from helpdesk import context
from helpdesk.models import AuditEntry, Role, User
from helpdesk.notifications import notify

REVIEW_OVERDUE_EVENT = "directory.review_overdue"  # template: helpdesk migration 0005


def sweep_review_overdue(*, now: datetime | None = None, batch_size: int = 500) -> int:
    now = now or timezone.now()
    total = 0
    while True:
        moved = _sweep_batch(now=now, batch_size=batch_size)
        total += moved
        if moved < batch_size:
            return total


@transaction.atomic
def _sweep_batch(*, now: datetime, batch_size: int) -> int:
    due = (
        ContactChannel.objects.select_for_update(skip_locked=True)
        .filter(state=ChannelState.VERIFIED, review_due_at__lte=now)
        .order_by("review_due_at", "id")
        .values_list("id", flat=True)[:batch_size]
    )
    ids = list(due)
    if not ids:
        return 0
    versioning.bump()  # the public pages and the checker say "review overdue" from now on
    ContactChannel.objects.filter(pk__in=ids, state=ChannelState.VERIFIED).update(
        state=ChannelState.REVIEW_OVERDUE, state_changed_at=now, updated_at=now
    )
    rows = list(ContactChannel.objects.filter(pk__in=ids).values("id", "platform_id", "kind", "value"))
    ChannelHistory.objects.bulk_create(
        ChannelHistory(
            platform_id=row["platform_id"],
            channel_id=row["id"],
            at=now,
            action=HistoryAction.REVIEW_OVERDUE,
            kind=row["kind"],
            new_value=row["value"],
        )
        for row in rows
    )
    where = context.current()
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=now,
            actor=None,
            source=where.source[:120],
            ip=where.ip,
            request_id=where.request_id,
            action="channel.review_overdue",
            object_type="contacts.contactchannel",
            object_id=str(row["id"]),
            object_repr=f"{row['kind']} {row['value']}"[:200],
            before={"state": ChannelState.VERIFIED},
            after={"state": ChannelState.REVIEW_OVERDUE},
        )
        for row in rows
    )
    ids.sort()
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:40]
    notify(
        user_ids=User.objects.filter(role=Role.DIRECTORY_ADMIN, is_active=True).values_list("pk", flat=True),
        event=REVIEW_OVERDUE_EVENT,
        context={"count": len(ids), "channel_ids": ids},
        url="/directory/#overdue-title",
        dedupe_key=digest,
    )
    return len(ids)
