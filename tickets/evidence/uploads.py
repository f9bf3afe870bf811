"""Checking the files a customer sends with a claim (web form, draft and API alike)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from helpdesk.uploads import CleanUpload, UploadRejected, clean_upload


def clean_files(files: list[UploadedFile], room: int) -> tuple[list[CleanUpload], list[tuple[str, str]]]:
    """Check each file on its own: accepted ones go on, rejected ones come back with a reason."""
    accepted: list[CleanUpload] = []
    rejected: list[tuple[str, str]] = []
    for upload in files:
        name = (upload.name or "")[:120]
        if len(accepted) >= room:
            limit = settings.EVIDENCE_MAX_FILES
            reason = _("“%(name)s”: a claim can hold at most %(count)d files.") % {
                "name": name,
                "count": limit,
            }
            rejected.append((name, reason))
            continue
        try:
            accepted.append(clean_upload(upload, max_bytes=settings.EVIDENCE_MAX_BYTES, defer_reencode=True))
        except UploadRejected as exc:
            rejected.append((name, " ".join(str(m) for m in exc.messages)))
    return accepted, rejected
