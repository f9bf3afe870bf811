"""The directory's version: one number every cached public answer is keyed by.

``bump()`` runs inside the transaction of every directory write (``contacts.services._common.
directory_audit`` calls it where the audit row is written; the review sweep and the problem-type admin
call it themselves), so a cached answer computed before a change can never be served after it commits:
its key names an older version. ``current()`` is one primary-key read, or none: each process keeps the
number it read for ``DIRECTORY_VERSION_TTL`` (at most one second), so

- the process that made a change sees it at once: ``bump()`` forgets the kept number, and forgets it again
  when its transaction commits (a number read by another thread in between could be the old one);
- every other process sees it within ``DIRECTORY_VERSION_TTL`` of the commit;
- a number read inside a transaction is never kept: it could be this transaction's own, uncommitted bump,
  and an answer keyed by it would hold the old directory once it commits.

Keeping an older number is always safe for what is stored: an answer is computed after its version was
read, so it is never older than the version it is stored under.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
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


class _Kept:
    """The number this process read last, until when it may be used, and a generation that ``forget``
    moves on, so that a read which started before a forget never stores what it read."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: Version | None = None
        self.until = 0.0
        self.generation = 0

    def get(self, now: float) -> Version | None:
        with self.lock:
            return self.version if self.version is not None and now < self.until else None

    def put(self, version: Version, generation: int, until: float) -> None:
        with self.lock:
            if generation == self.generation:
                self.version, self.until = version, until

    def forget(self) -> None:
        with self.lock:
            self.version, self.until = None, 0.0
            self.generation += 1


_kept = _Kept()


def bump() -> None:
    """Mark the directory changed. Must run inside the writing transaction (the row lock it takes also
    orders concurrent writers, so two changes never share a version)."""
    if not connection.in_atomic_block:
        raise RuntimeError("contacts.versioning.bump() must run inside the transaction of the change.")
    _kept.forget()
    transaction.on_commit(_kept.forget)
    now = timezone.now()
    if DirectoryVersion.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now):
        return
    with transaction.atomic():  # no row yet (a flushed test database): create it, or lose the race
        DirectoryVersion.objects.bulk_create(
            [DirectoryVersion(pk=1, number=1, changed_at=now)], ignore_conflicts=True
        )
    DirectoryVersion.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now)


def current() -> Version:
    ttl = settings.DIRECTORY_VERSION_TTL.total_seconds()
    in_transaction = connection.in_atomic_block
    if ttl > 0 and not in_transaction:
        kept = _kept.get(time.monotonic())
        if kept is not None:
            return kept
    generation = _kept.generation
    started = time.monotonic()
    row = DirectoryVersion.objects.filter(pk=1).values_list("number", "changed_at").first()
    version = Version(*row) if row is not None else Version(0, _EPOCH)
    if ttl > 0 and not in_transaction:
        _kept.put(version, generation, started + ttl)  # counted from before the read
    return version


def forget() -> None:
    """Read the version from the database next time (tests; a process that changed it some other way)."""
    _kept.forget()
