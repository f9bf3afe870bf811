"""The one safe path for files people upload (claim evidence, directory evidence, logos).

A file's type is decided by its content, never by its name. Images are decoded and re-encoded with Pillow:
that drops EXIF (GPS position, device), breaks polyglots (a PNG with HTML or a ZIP appended is rebuilt from
pixels only) and refuses decompression bombs. PDFs and text are kept byte for byte but must look like what
they claim to be. Files are stored under random names below MEDIA_ROOT, which no URL serves: they leave
only through ``private_file_response`` after the caller has checked the viewer's right to see them.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from helpdesk.outbox import declare_events, outbox_handler, outbox_write

try:  # HEIC screenshots from iPhones; optional so that a missing wheel does not break start-up.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - the dependency is declared; this guards odd platforms
    HEIC_SUPPORTED = False

PNG, JPEG, WEBP, HEIC = "image/png", "image/jpeg", "image/webp", "image/heic"
PDF, TEXT = "application/pdf", "text/plain"
IMAGE_TYPES = frozenset({PNG, JPEG, WEBP, HEIC})
DOCUMENT_TYPES = frozenset({PDF, TEXT})
EVIDENCE_TYPES = IMAGE_TYPES | DOCUMENT_TYPES
LOGO_TYPES = frozenset({PNG, JPEG, WEBP})

EXTENSIONS = {PNG: "png", JPEG: "jpg", WEBP: "webp", HEIC: "jpg", PDF: "pdf", TEXT: "txt"}
# Pillow format names for re-encoding. HEIC is re-encoded to JPEG: browsers cannot show HEIC.
_SAVE_AS = {PNG: ("PNG", PNG), JPEG: ("JPEG", JPEG), WEBP: ("WEBP", WEBP), HEIC: ("JPEG", JPEG)}
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_SNIFF_BYTES = 4096


class UploadRejected(ValidationError):
    """A file we will not store; the message is for the person who uploaded it, in their language."""


@dataclass(frozen=True)
class CleanUpload:
    data: bytes
    content_type: str
    extension: str
    sha256: str
    size: int
    original_name: str
    # False: checked (type, size, pixel count, structure) but not yet rebuilt from pixels. Such a file is
    # stored in quarantine and rebuilt by the outbox relay (see ``schedule_sanitize``). The safe default.
    sanitized: bool = False


def sniff(head: bytes) -> str | None:
    """The MIME type the first bytes of a file prove, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return HEIC
    if head.startswith(b"%PDF-"):
        return PDF
    if _looks_like_text(head):
        return TEXT
    return None


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            # A multi-byte character may be cut at the sniff boundary: ignore a broken tail only.
            head.decode(encoding) if len(head) < _SNIFF_BYTES else head[:-4].decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _display_name(file: UploadedFile) -> str:
    name = PurePosixPath((file.name or "").replace("\\", "/")).name
    return name[:200] or _("file")


def clean_upload(
    file: UploadedFile,
    *,
    allowed: frozenset[str] = EVIDENCE_TYPES,
    max_bytes: int | None = None,
    defer_reencode: bool = False,
) -> CleanUpload:
    """Check and sanitise one uploaded file, or raise UploadRejected saying why.

    With ``defer_reencode`` a PNG/JPEG/WebP image is only checked here (magic bytes, pixel count, chunk
    checksums: a few milliseconds) and rebuilt from pixels later, off the request, by the outbox relay:
    re-encoding a 2 MB screenshot costs 150-250 ms of CPU that a person filing a claim should not wait for.
    Until then the file sits in quarantine and is never served.
    """
    limit = max_bytes if max_bytes is not None else settings.EVIDENCE_MAX_BYTES
    name = _display_name(file)
    size = file.size or 0
    if size > limit:
        raise UploadRejected(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if size == 0:
        raise UploadRejected(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    file.seek(0)
    raw = file.read(limit + 1)
    if len(raw) > limit:  # the declared size lied
        raise UploadRejected(
            _("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)},
            code="too_large",
        )
    content_type = sniff(raw[:_SNIFF_BYTES])
    if content_type is None or content_type not in allowed:
        raise UploadRejected(
            _("“%(name)s” is not an accepted file type. Accepted: %(types)s.")
            % {"name": name, "types": describe_types(allowed)},
            code="bad_type",
        )
    sanitized = True
    if content_type in IMAGE_TYPES and defer_reencode and content_type != HEIC:
        _check_image(raw, name)
        data, sanitized = raw, False
    elif content_type in IMAGE_TYPES:
        data, content_type = _reencode_image(raw, content_type, name)
    else:
        data = raw
        if content_type == TEXT:
            data = _normalise_text(raw)
    return CleanUpload(
        data=data,
        content_type=content_type,
        extension=EXTENSIONS[content_type],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        original_name=name,
        sanitized=sanitized,
    )


def describe_types(allowed: frozenset[str]) -> str:
    labels = {PNG: "PNG", JPEG: "JPEG", WEBP: "WebP", HEIC: "HEIC", PDF: "PDF", TEXT: _("plain text")}
    return ", ".join(labels[t] for t in (PNG, JPEG, WEBP, HEIC, PDF, TEXT) if t in allowed)


@contextmanager
def _open_image(raw: bytes, name: str) -> Iterator[Image.Image]:
    """Open an image within the pixel budget, turning every failure into a reason for the person."""
    max_pixels: int = settings.UPLOAD_MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow warns between MAX_IMAGE_PIXELS and twice that; we refuse at our own limit instead.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise UploadRejected(
                        _("“%(name)s” has too many pixels (%(width)s×%(height)s).")
                        % {"name": name, "width": width, "height": height},
                        code="too_many_pixels",
                    )
                yield image
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected(
            _("“%(name)s” has too many pixels.") % {"name": name}, code="too_many_pixels"
        ) from None
    except (OSError, ValueError, SyntaxError, Image.UnidentifiedImageError, EOFError):
        raise UploadRejected(
            _("“%(name)s” could not be read as an image.") % {"name": name}, code="bad_image"
        ) from None


def _check_image(raw: bytes, name: str) -> None:
    """The cheap half of the image checks: readable header, pixel budget, intact structure."""
    with _open_image(raw, name) as image:
        image.verify()  # PNG: every chunk's CRC; JPEG/WebP: the structure Pillow can see


def _reencode_image(raw: bytes, content_type: str, name: str) -> tuple[bytes, str]:
    if content_type == HEIC and not HEIC_SUPPORTED:  # pragma: no cover
        raise UploadRejected(
            _("“%(name)s” could not be read as an image.") % {"name": name}, code="bad_image"
        )
    with _open_image(raw, name) as image:
        image.load()
        # Keep the picture upright once EXIF (which holds the orientation) is dropped.
        upright = ImageOps.exif_transpose(image) or image
        pil_format, out_type = _SAVE_AS[content_type]
        if pil_format == "JPEG" and upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        elif upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            upright = upright.convert("RGBA")
        # A fresh image carries pixels only: no EXIF, no ICC text chunks, nothing appended.
        clean = Image.new(upright.mode, upright.size)
        if upright.mode == "P":
            palette = upright.getpalette()
            if palette:
                clean.putpalette(palette)
        clean.paste(upright)
        out = io.BytesIO()
        # Fast settings: PNG "optimize" costs 5x the time for a few per cent of size.
        options: dict[str, object] = {"compress_level": 1} if pil_format == "PNG" else {}
        if pil_format in ("JPEG", "WEBP"):
            options["quality"] = 90
        clean.save(out, format=pil_format, **options)
        return out.getvalue(), out_type


def _normalise_text(raw: bytes) -> bytes:
    """Chat exports come in UTF-8 or GB18030; store UTF-8 so every viewer reads them the same way."""
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace").encode("utf-8")


def _safe_folder(folder: str) -> str:
    return "/".join(part for part in folder.split("/") if part and part not in (".", ".."))


def store_private(upload: CleanUpload, *, folder: str) -> str:
    """Save under a random name in ``folder`` below MEDIA_ROOT; returns the storage name to keep.

    A file not yet sanitised goes below ``quarantine/``: the caller must ``schedule_sanitize`` it in the
    transaction that records it, and must not serve it while ``is_quarantined``.
    """
    prefix = "" if upload.sanitized else QUARANTINE
    name = f"{prefix}{_safe_folder(folder)}/{secrets.token_hex(16)}.{upload.extension}"
    return default_storage.save(name, ContentFile(upload.data))


QUARANTINE = "quarantine/"


def is_quarantined(name: str) -> bool:
    return name.startswith(QUARANTINE)


# --- Deferred sanitising --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sanitized:
    name: str
    sha256: str
    size: int
    content_type: str
    extension: str


SanitizedHandler = Callable[[str, Sanitized | None, str], None]
_sanitized_handlers: list[SanitizedHandler] = []


def on_sanitized(func: SanitizedHandler) -> SanitizedHandler:
    """Register ``func(old_name, result, reason)``; ``result`` is None when the file had to be refused.
    Apps use it to point their rows at the clean file (called in the relay's transaction)."""
    if func not in _sanitized_handlers:
        _sanitized_handlers.append(func)
    return func


def schedule_sanitize(name: str) -> None:
    """Promise, in the caller's transaction, to rebuild a quarantined file (no-op for a clean one)."""
    if not is_quarantined(name):
        return
    outbox_write(event="upload.sanitize", payload={"name": name}, dedupe_key=f"sanitize:{name}")


declare_events("upload.sanitize", module=__name__)


@outbox_handler("upload.sanitize")
def _sanitize_upload(message_id: int, payload: dict[str, object]) -> None:
    sanitize_stored(str(payload["name"]))


def sanitize_stored(name: str) -> None:
    """Outbox handler body: rebuild the quarantined file, store the clean copy, tell the apps."""
    from django.db import transaction

    if not default_storage.exists(name):
        return  # already handled by an earlier run (the quarantined copy is deleted after commit)
    with default_storage.open(name, "rb") as handle:
        raw = handle.read()
    display = PurePosixPath(name).name
    result: Sanitized | None = None
    reason = ""
    content_type = sniff(raw[:_SNIFF_BYTES])
    try:
        if content_type is None:
            raise UploadRejected(_("“%(name)s” could not be read as an image.") % {"name": display})
        if content_type in IMAGE_TYPES:
            data, content_type = _reencode_image(raw, content_type, display)
        else:
            data = raw
        clean = CleanUpload(
            data=data,
            content_type=content_type,
            extension=EXTENSIONS[content_type],
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            original_name=display,
            sanitized=True,
        )
        folder = str(PurePosixPath(name.removeprefix(QUARANTINE)).parent)
        stored = store_private(clean, folder=folder)
        transaction.on_commit(lambda: default_storage.delete(name))
        result = Sanitized(stored, clean.sha256, clean.size, clean.content_type, clean.extension)
    except UploadRejected as exc:
        reason = " ".join(str(m) for m in exc.messages)
        transaction.on_commit(lambda: default_storage.delete(name))
    for handler in list(_sanitized_handlers):
        handler(name, result, reason)


def delete_private(name: str) -> None:
    if name:
        default_storage.delete(name)


def private_file_response(name: str, *, download_name: str, content_type: str) -> FileResponse:
    """Stream a stored file as a download. The caller must have checked the viewer may see it.

    A file still in quarantine never leaves (its raw bytes may carry EXIF or an appended payload): callers
    check first and say "still being checked"; this refuses as the last line of defence.
    """
    if is_quarantined(name):
        raise Http404
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=download_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
