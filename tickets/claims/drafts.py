"""A claim in progress, kept in the session: a guest fills the form and creates the account at the end,
and a form sent back with errors keeps the files that were already accepted. Files wait under
``drafts/`` below MEDIA_ROOT (private, like all evidence) until the claim is filed, for ``DRAFT_TTL``
(2 h) at most.

Parking files costs disk and needs no account, so it is rationed (``within_quota``): each browser session
and each client network (/24 for IPv4, /64 for IPv6, from the project's one client-address helper) may park
only so many files and bytes per hour. A form that is otherwise valid (a guest about to create the account)
is held only to the network's allowance. Fields are always kept: only files over the allowance are
dropped, and the visitor is asked to attach them again."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.middleware import client_ip, client_network
from helpdesk.uploads import QUARANTINE, CleanUpload, delete_private, store_private

_KEY = "claim_draft"
_FOLDER = "drafts"
_SKIP = {"csrfmiddlewaretoken", "evidence"}
_HOUR = 3600


def load(request: HttpRequest) -> dict[str, Any] | None:
    draft = request.session.get(_KEY)
    return draft if isinstance(draft, dict) and "data" in draft else None


def kept_files(request: HttpRequest) -> list[dict[str, Any]]:
    """The draft's files that are still kept (older ones have been purged, see ``purge_expired_drafts``)."""
    draft = load(request)
    if not draft:
        return []
    oldest = time.time() - settings.DRAFT_TTL.total_seconds()
    return [meta for meta in draft.get("files", []) if meta.get("stored_at", 0) >= oldest]


def _network(request: HttpRequest) -> str:
    network = client_network(client_ip(request))
    if network is None:
        return "unknown"
    # The cache holds a keyed hash, never the address itself.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{network}".encode()).hexdigest()[:32]


def _session_key(request: HttpRequest) -> str:
    if request.session.session_key is None:
        request.session.save()
    return str(request.session.session_key)


def within_quota(
    request: HttpRequest, files: list[CleanUpload], *, form_valid: bool
) -> tuple[list[CleanUpload], list[tuple[str, str]]]:
    """Split ``files`` into those this visitor may still park this hour and refusals with a reason.

    Files already in the draft cost nothing again. The counters live in the cache for the current hour."""
    known = {meta["sha256"] for meta in kept_files(request)}
    hour = int(time.time() // _HOUR)
    budgets = [
        (
            f"draft-quota:n:{_network(request)}:{hour}",
            settings.DRAFT_NETWORK_QUOTA_FILES,
            settings.DRAFT_NETWORK_QUOTA_BYTES,
        )
    ]
    if not form_valid:
        budgets.append(
            (
                f"draft-quota:s:{_session_key(request)}:{hour}",
                settings.DRAFT_QUOTA_FILES,
                settings.DRAFT_QUOTA_BYTES,
            )
        )
    used = {key: cache.get(key) or (0, 0) for key, _files, _bytes in budgets}
    allowed: list[CleanUpload] = []
    refused: list[tuple[str, str]] = []
    for upload in files:
        if upload.sha256 in known:
            allowed.append(upload)
            continue
        fits = all(
            used[key][0] + 1 <= max_files and used[key][1] + upload.size <= max_bytes
            for key, max_files, max_bytes in budgets
        )
        if not fits:
            name = upload.original_name[:120]
            refused.append(
                (
                    name,
                    _(
                        "“%(name)s”: too many files were sent from this browser or network in the last hour, "
                        "so it was not kept. Everything you typed is kept; attach this file again when you "
                        "send the form."
                    )
                    % {"name": name},
                )
            )
            continue
        known.add(upload.sha256)
        allowed.append(upload)
        for key, _files, _bytes in budgets:
            used[key] = (used[key][0] + 1, used[key][1] + upload.size)
    # Read-modify-write: concurrent requests may overshoot by what they carry, which the hour bounds.
    cache.set_many(dict(used.items()), timeout=_HOUR)
    return allowed, refused


def save(request: HttpRequest, *, data: Mapping[str, Any], files: list[CleanUpload]) -> list[dict[str, Any]]:
    """Remember the form's fields and add ``files`` to the ones already kept; returns the kept files.

    Callers ration anonymous file parking with ``within_quota`` first."""
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
                "stored_at": time.time(),
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
    draft = load(request)
    for meta in draft.get("files", []) if draft else []:
        delete_private(meta["name"])
    request.session.pop(_KEY, None)


def purge_expired_drafts() -> int:
    """Delete draft files older than ``DRAFT_TTL``: their sessions were abandoned (or already filed).

    Idempotent and cheap (one directory listing per folder); returns how many files were removed. Run by
    beat (``tickets.purge_draft_files``) every 15 minutes."""
    cutoff = timezone.now() - settings.DRAFT_TTL
    removed = 0
    # Images not yet rebuilt from pixels are kept under quarantine/ (helpdesk.uploads); drafts never are.
    for folder in (_FOLDER, QUARANTINE + _FOLDER):
        try:
            _dirs, names = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for name in names:
            path = f"{folder}/{name}"
            try:
                expired = default_storage.get_modified_time(path) < cutoff
            except FileNotFoundError:  # removed meanwhile (filed, or another purge)
                continue
            if expired:
                delete_private(path)
                removed += 1
    return removed
