"""The shared upload pipeline: type by content, images rebuilt from pixels, private storage."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from helpdesk import uploads
from helpdesk.uploads import UploadRejected, clean_upload


def png_bytes(size: tuple[int, int] = (40, 30), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (32, 32), "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }


def test_it_decides_the_type_by_content_not_by_name():
    clean = clean_upload(upload("screenshot.pdf", png_bytes()))
    assert clean.content_type == "image/png"
    assert clean.extension == "png"


def test_it_refuses_an_executable_renamed_to_png():
    with pytest.raises(UploadRejected) as info:
        clean_upload(upload("photo.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200))
    assert info.value.code == "bad_type"
    assert "photo.png" in info.value.messages[0]


def test_it_rebuilds_a_png_with_html_appended_from_pixels_only():
    polyglot = png_bytes() + b"<html><script>alert(1)</script></html>"
    clean = clean_upload(upload("a.png", polyglot))
    assert b"<script>" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.size == (40, 30)


def test_it_strips_gps_exif_from_a_jpeg():
    raw = jpeg_with_gps()
    with Image.open(io.BytesIO(raw)) as original:
        assert original.getexif().get(0x8825)  # the fixture really carries GPS
    clean = clean_upload(upload("a.jpg", raw))
    with Image.open(io.BytesIO(clean.data)) as image:
        assert not image.getexif().get(0x8825)
        assert not image.getexif().get(0x010F)
    assert b"PhoneMaker" not in clean.data


def test_it_refuses_a_decompression_bomb(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 1_000_000
    bomb = png_bytes(size=(2000, 2000), color="white")  # 4 MP of one colour compresses to a few KB
    assert len(bomb) < 50_000
    with pytest.raises(UploadRejected) as info:
        clean_upload(upload("bomb.png", bomb))
    assert info.value.code == "too_many_pixels"


def test_it_refuses_an_oversized_file(settings):
    settings.EVIDENCE_MAX_BYTES = 2048
    with pytest.raises(UploadRejected) as info:
        clean_upload(upload("big.txt", b"a" * 4096))
    assert info.value.code == "too_large"


def test_it_refuses_a_truncated_image():
    with pytest.raises(UploadRejected) as info:
        clean_upload(upload("cut.png", png_bytes()[:60]))
    assert info.value.code == "bad_image"


def test_it_keeps_pdf_and_converts_gbk_chat_exports_to_utf8():
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert clean_upload(upload("order.pdf", pdf)).data == pdf
    chat = "客服：您好，订单号 XY123 已收到。".encode("gb18030")
    clean = clean_upload(upload("chat.txt", chat))
    assert clean.content_type == "text/plain"
    assert clean.data.decode("utf-8") == "客服：您好，订单号 XY123 已收到。"


def test_it_honours_the_allowed_types():
    pdf = b"%PDF-1.4\n%%EOF\n"
    with pytest.raises(UploadRejected) as info:
        clean_upload(upload("logo.pdf", pdf), allowed=uploads.LOGO_TYPES)
    assert "PNG" in info.value.messages[0]


def test_it_explains_rejections_in_chinese_by_default():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(UploadRejected) as info:
        clean_upload(upload("x.exe", b"MZ" + b"\x00" * 100))
    assert "文件类型" in info.value.messages[0]


def test_it_stores_under_a_random_name_and_serves_as_attachment():
    clean = clean_upload(upload("../../etc/passwd.png", png_bytes()))
    assert clean.original_name == "passwd.png"
    name = uploads.store_private(clean, folder="evidence/../x")
    assert name.startswith("evidence/x/") and ".." not in name
    assert default_storage.exists(name)
    response = uploads.private_file_response(name, download_name="a.png", content_type=clean.content_type)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == clean.data
    assert clean.sha256 == __import__("hashlib").sha256(clean.data).hexdigest()


def test_deferred_images_are_only_checked_then_quarantined_until_rebuilt(
    django_capture_on_commit_callbacks, db
):
    from helpdesk.outbox import relay

    polyglot = png_bytes() + b"<html>hidden</html>"
    clean = clean_upload(upload("a.png", polyglot), defer_reencode=True)
    assert clean.sanitized is False and clean.data == polyglot  # nothing rebuilt yet: fast
    name = uploads.store_private(clean, folder="evidence")
    assert uploads.is_quarantined(name)
    results: list = []
    uploads.on_sanitized(lambda old, result, reason: results.append((old, result, reason)))
    try:
        uploads.schedule_sanitize(name)
        with django_capture_on_commit_callbacks(execute=True):
            relay()
    finally:
        uploads._sanitized_handlers.pop()
    [(old, result, reason)] = results
    assert old == name and reason == ""
    assert result.name.startswith("evidence/") and not uploads.is_quarantined(result.name)
    with default_storage.open(result.name, "rb") as handle:
        assert b"hidden" not in handle.read()
    assert not default_storage.exists(name)


def test_deferred_checks_still_refuse_bombs_and_broken_files(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 1_000_000
    with pytest.raises(UploadRejected) as info:
        clean_upload(upload("bomb.png", png_bytes(size=(2000, 2000))), defer_reencode=True)
    assert info.value.code == "too_many_pixels"
    with pytest.raises(UploadRejected) as info:
        clean_upload(upload("cut.png", png_bytes()[:60]), defer_reencode=True)
    assert info.value.code == "bad_image"
