"""A claim in progress, kept in the session: a guest fills the form and creates the account at the end,
and a form sent back with errors keeps the files that were already accepted. Files wait under
``drafts/`` below MEDIA_ROOT (private, like all evidence) until the claim is filed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone

from helpdesk.uploads import QUARANTINE, CleanUpload, delete_private, store_private

_KEY = "claim_draft"
_FOLDER = "drafts"
_SKIP = {"csrfmiddlewaretoken", "evidence"}


def load(request: HttpRequest) -> dict[str, Any] | None:
    draft = request.session.get(_KEY)
    return draft if isinstance(draft, dict) and "data" in draft else None


def kept_files(request: HttpRequest) -> list[dict[str, Any]]:
    draft = load(request)
    return list(draft.get("files", [])) if draft else []


def save(request: HttpRequest, *, data: Mapping[str, Any], files: list[CleanUpload]) -> list[dict[str, Any]]:
    """Remember the form's fields and add ``files`` to the ones already kept; returns the kept files."""
    kept = kept_files(request)
    known = {f["sha256"] for f in kept}
    for upload in files:
        if upload.sha256 in known:
            continue
        known.add(upload.sha256)
        kept.append(
            {
                "name": store_private(upload, folder=_FOLDER),
                "sha256": upload.sha256,
                "content_type": upload.content_type,
                "extension": upload.extension,
                "size": upload.size,
                "original_name": upload.original_name,
            }
        )
    fields = {key: data.get(key, "") for key in data if key not in _SKIP}
    request.session[_KEY] = {"data": fields, "files": kept}
    return kept


def take_files(request: HttpRequest) -> list[CleanUpload]:
    """The kept files, read back for filing; they leave the draft area."""
    out = []
    for meta in kept_files(request):
        try:
            with default_storage.open(meta["name"], "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        out.append(
            CleanUpload(
                data=data,
                content_type=meta["content_type"],
                extension=meta["extension"],
                sha256=meta["sha256"],
                size=meta["size"],
                original_name=meta["original_name"],
            )
        )
    return out


def clear(request: HttpRequest) -> None:
    for meta in kept_files(request):
        delete_private(meta["name"])
    request.session.pop(_KEY, None)


def purge_abandoned(max_age: timedelta = timedelta(days=1)) -> int:
    """Remove draft files older than ``max_age``: their sessions were abandoned (or already filed)."""
    cutoff = timezone.now() - max_age
    removed = 0
    # Images not yet rebuilt from pixels are kept under quarantine/ (helpdesk.uploads); drafts never are.
    for folder in (_FOLDER, QUARANTINE + _FOLDER):
        try:
            _dirs, names = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for name in names:
            path = f"{folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                delete_private(path)
                removed += 1
    return removed
