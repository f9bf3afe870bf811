"""Storing evidence: files go to private storage before the claim's transaction (and are deleted again if
it fails), rows are written inside it, and each image is rebuilt from pixels off the request
(``helpdesk.uploads``); ``evidence_sanitized`` records the outcome. Serving: ``tickets.evidence.serving``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.files.storage import default_storage
from django.utils import timezone

from helpdesk.models import User
from helpdesk.uploads import Sanitized, schedule_sanitize
from tickets.models import Claim, ClaimEvent, EventKind, Evidence

if TYPE_CHECKING:
    from helpdesk.uploads import CleanUpload


def store_files(files: list[CleanUpload]) -> list[tuple[CleanUpload, str]]:
    from helpdesk.uploads import store_private

    folder = f"evidence/{timezone.now():%Y/%m}"
    return [(upload, store_private(upload, folder=folder)) for upload in files]


def discard_files(stored: list[tuple[CleanUpload, str]]) -> None:
    for _upload, name in stored:
        default_storage.delete(name)


def unique_by_hash(files: list[CleanUpload], known: set[str] | None = None) -> list[CleanUpload]:
    seen = set(known or ())
    out = []
    for upload in files:
        if upload.sha256 not in seen:
            seen.add(upload.sha256)
            out.append(upload)
    return out


def _download_name(upload: CleanUpload) -> str:
    """The customer's file name, with the extension of what we actually stored (HEIC becomes JPEG)."""
    stem, dot, suffix = upload.original_name.rpartition(".")
    if (
        dot
        and suffix.lower() != upload.extension
        and not (suffix.lower() == "jpeg" and upload.extension == "jpg")
    ):
        return f"{stem[:190]}.{upload.extension}"
    return upload.original_name[:200]


def _evidence_rows(claim: Claim, actor: User, stored: list[tuple[CleanUpload, str]]) -> list[Evidence]:
    now = timezone.now()
    return [
        Evidence(
            claim=claim,
            storage_name=name,
            sha256=upload.sha256,
            content_type=upload.content_type,
            size=upload.size,
            original_name=_download_name(upload),
            uploaded_by=actor,
            created_at=now,
        )
        for upload, name in stored
    ]


def create_evidence(claim: Claim, actor: User, stored: list[tuple[CleanUpload, str]]) -> list[Evidence]:
    rows = Evidence.objects.bulk_create(_evidence_rows(claim, actor, stored))
    for row in rows:
        schedule_sanitize(row.storage_name)  # images are rebuilt from pixels off the request
    return rows


def evidence_sanitized(old_name: str, result: Sanitized | None, reason: str) -> None:
    """Point the evidence at its clean copy, or drop it (with a note on the timeline) if it was refused."""
    evidence = Evidence.objects.select_related("claim").filter(storage_name=old_name).first()
    if evidence is None:
        return
    if result is not None:
        Evidence.objects.filter(pk=evidence.pk).update(
            storage_name=result.name, content_type=result.content_type, size=result.size
        )
        return
    evidence.delete()
    ClaimEvent.objects.create(
        claim=evidence.claim,
        kind=EventKind.EVIDENCE_ADDED,
        data={"removed": evidence.original_name, "reason": reason},  # worded by the page, in its language
    )
