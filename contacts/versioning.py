"""The directory's version: one number every cached public answer is keyed by.

``bump()`` runs inside the transaction of every directory write (``contacts.services._common.
directory_audit`` calls it where the audit row is written; the review sweep and the problem-type admin
call it themselves), so a cached answer computed before a change can never be served after it commits:
its key names an older version. ``current()`` is one primary-key read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from contacts.models import DirectoryVersion

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Version:
    number: int
    changed_at: datetime

    @property
    def key(self) -> str:
        """Names this version in cache keys and ETags. The moment is part of it: a recreated database
        counts from 0 again, and a cache that outlived it must not answer from the old directory."""
        return f"{self.number}.{int(self.changed_at.timestamp() * 1_000_000)}"


def bump() -> None:
    """Mark the directory changed. Must run inside the writing transaction (the row lock it takes also
    orders concurrent writers, so two changes never share a version)."""
    if not connection.in_atomic_block:
        raise RuntimeError("contacts.versioning.bump() must run inside the transaction of the change.")
    now = timezone.now()
    if DirectoryVersion.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now):
        return
    with transaction.atomic():  # no row yet (a flushed test database): create it, or lose the race
        DirectoryVersion.objects.bulk_create(
            [DirectoryVersion(pk=1, number=1, changed_at=now)], ignore_conflicts=True
        )
    DirectoryVersion.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now)


def current() -> Version:
    row = DirectoryVersion.objects.filter(pk=1).values_list("number", "changed_at").first()
    return Version(*row) if row is not None else Version(0, _EPOCH)
