"""The evidence pipeline at the claim level: what the customer uploads is what support can safely open."""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from helpdesk.outbox import relay
from tests.support.tickets import form_data, png_bytes, png_file
from tickets.models import Claim, Evidence


def _file_claim(client, platform, *files):
    return client.post("/claims/new/", {**form_data(platform), "evidence": list(files)})


def test_a_png_with_appended_html_is_rebuilt_from_pixels(login_as, customer, platform):
    polyglot = png_bytes() + b"<html><script>alert(1)</script></html>"
    response = _file_claim(login_as(customer), platform, SimpleUploadedFile("x.png", polyglot))
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    data = open_evidence(evidence)
    assert b"<script>" not in data and data.startswith(b"\x89PNG")


def test_a_renamed_exe_is_rejected_and_the_claim_is_kept(login_as, customer, platform):
    exe = SimpleUploadedFile("screenshot.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00\xff" * 100)
    client = login_as(customer)
    response = _file_claim(client, platform, exe, png_file("ok.png"))
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/claims/{claim.reference}/")
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["ok.png"]
    page = client.get(response["Location"]).content.decode()
    assert "screenshot.png" in page and "不是可接受的文件类型" in page


def test_an_oversized_file_is_rejected_with_the_limit(login_as, customer, platform, settings):
    settings.EVIDENCE_MAX_BYTES = 50_000
    big = SimpleUploadedFile("big.png", png_bytes(size=(800, 800)) + b"\0" * 60_000)
    client = login_as(customer)
    response = _file_claim(client, platform, big)
    assert response.status_code == 302
    assert Claim.objects.count() == 1 and Evidence.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "big.png" in page and "48.8" in page  # 50,000 bytes as "48.8 KB"


def test_a_decompression_bomb_is_rejected(login_as, customer, platform, settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("1", (4000, 4000)).save(out, format="PNG", optimize=True)
    bomb = SimpleUploadedFile("bomb.png", out.getvalue())
    response = _file_claim(login_as(customer), platform, bomb)
    assert response.status_code == 302
    assert Evidence.objects.count() == 0


def test_gps_exif_is_stripped_from_a_jpeg(login_as, customer, platform):
    image = Image.new("RGB", (64, 48), "blue")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0), 3: "E", 4: (116.0, 23.0, 0.0)}  # GPSInfo: Beijing
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    assert Image.open(io.BytesIO(out.getvalue())).getexif().get_ifd(0x8825)
    response = _file_claim(login_as(customer), platform, SimpleUploadedFile("photo.jpg", out.getvalue()))
    assert response.status_code == 302
    stored = Image.open(io.BytesIO(open_evidence(Evidence.objects.get())))
    assert not stored.getexif().get_ifd(0x8825)
    assert not stored.getexif()


def test_evidence_downloads_as_an_attachment_with_nosniff(login_as, customer, platform):
    client = login_as(customer)
    _file_claim(client, platform, png_file("shot.png"))
    evidence = Evidence.objects.get()
    url = f"/claims/{evidence.claim.reference}/evidence/{evidence.pk}/"
    pending = client.get(url)  # not served before it is rebuilt from pixels
    assert pending.status_code == 409 and "正在检查" in pending.content.decode()
    relay()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_files_are_stored_outside_the_web_root_under_random_names(login_as, customer, platform, settings):
    _file_claim(login_as(customer), platform, png_file("我的截图.png"))
    evidence = Evidence.objects.get()
    assert "截图" not in evidence.storage_name
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))


def open_evidence(evidence: Evidence) -> bytes:
    """The stored file once the relay has rebuilt it (as the worker does right after filing)."""
    relay()
    evidence.refresh_from_db()
    assert evidence.is_ready
    with default_storage.open(evidence.storage_name, "rb") as handle:
        return handle.read()


def test_abandoned_draft_files_are_purged(client, platform):
    import os
    import time

    from django.core.files.storage import default_storage

    from tickets.tasks import purge_draft_files

    client.post("/claims/new/", {**form_data(platform), "evidence": [png_file("draft.png")]})
    folder = "quarantine/drafts"  # an image not yet rebuilt from pixels waits in quarantine
    names = default_storage.listdir(folder)[1]
    assert len(names) == 1
    assert purge_draft_files() == 0
    old = time.time() - 2 * 86400
    os.utime(default_storage.path(f"{folder}/{names[0]}"), (old, old))
    assert purge_draft_files() == 1
    assert default_storage.listdir(folder)[1] == []


def test_the_download_name_matches_what_was_stored(login_as, customer, platform):
    _file_claim(login_as(customer), platform, SimpleUploadedFile("截图.jpg", png_bytes()))
    assert Evidence.objects.get().original_name == "截图.png"


def test_filing_does_not_wait_for_the_image_rebuild_and_the_quarantined_file_is_never_served(
    login_as, customer, platform, django_capture_on_commit_callbacks
):
    client = login_as(customer)
    polyglot = png_bytes() + b"<html><script>alert(1)</script></html>"
    _file_claim(client, platform, SimpleUploadedFile("x.png", polyglot))
    evidence = Evidence.objects.get()
    quarantined = evidence.storage_name
    assert quarantined.startswith("quarantine/") and not evidence.is_ready
    page = client.get(f"/claims/{evidence.claim.reference}/").content.decode()
    assert "x.png" in page and f"/evidence/{evidence.pk}/" not in page
    with django_capture_on_commit_callbacks(execute=True):
        relay()
    evidence.refresh_from_db()
    assert evidence.is_ready and not evidence.storage_name.startswith("quarantine/")
    assert not default_storage.exists(quarantined)
    with default_storage.open(evidence.storage_name, "rb") as handle:
        assert b"<script>" not in handle.read()


def test_an_image_that_passes_the_quick_check_but_cannot_be_decoded_is_removed_with_a_note(
    login_as, customer, platform
):
    import struct
    import zlib

    from tickets.models import ClaimEvent

    good = png_bytes()
    # Replace the pixel data with garbage but keep the chunk checksum valid: verify() passes, decoding fails.
    start = good.index(b"IDAT") - 4
    length = struct.unpack(">I", good[start : start + 4])[0]
    garbage = b"\x00" * length
    crc = struct.pack(">I", zlib.crc32(b"IDAT" + garbage) & 0xFFFFFFFF)
    broken = good[: start + 8] + garbage + crc + good[start + 12 + length :]
    client = login_as(customer)
    _file_claim(client, platform, SimpleUploadedFile("broken.png", broken))
    claim = Claim.objects.get()
    assert Evidence.objects.count() == 1
    relay()
    assert Evidence.objects.count() == 0
    assert ClaimEvent.objects.filter(claim=claim, data__removed="broken.png").exists()
    page = client.get(f"/claims/{claim.reference}/").content.decode()
    assert "broken.png" in page and "已被移除" in page


def test_quarantined_evidence_leaves_by_no_path_and_the_clean_file_by_all_three(
    client, customer, agent, platform
):
    """Customer page, agent workspace and API all go through tickets.evidence.serving.serve_evidence: while
    the file is in quarantine (EXIF and whatever was appended still in it) each says "being checked", never
    bytes."""
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from tests.factories import TeamFactory, join_team
    from tests.support.auth import current_code, totp_device

    cache.clear()  # team ids are cached
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "green").save(out, format="JPEG", exif=exif)
    client.force_login(customer)
    _file_claim(client, platform, SimpleUploadedFile("photo.jpg", out.getvalue()))
    evidence = Evidence.objects.get()
    claim = evidence.claim
    if claim.team is None:
        Claim.objects.filter(pk=claim.pk).update(team=TeamFactory(slug="evidence-desk"))
        claim.refresh_from_db()
    join_team(agent, claim.team)
    api = APIClient()
    api.force_authenticate(customer)
    staff = APIClient()
    staff.force_login(agent)
    staff.post("/accounts/2fa/", {"otp_token": current_code(totp_device(agent))})

    def answers() -> list:
        return [
            client.get(f"/claims/{claim.reference}/evidence/{evidence.pk}/"),
            api.get(f"/api/v1/claims/{claim.reference}/evidence/{evidence.pk}/"),
            staff.get(f"/agent/tickets/{claim.reference}/evidence/{evidence.pk}/"),
        ]

    pending = answers()
    assert [r.status_code for r in pending] == [409, 409, 409]
    assert all(not hasattr(r, "streaming_content") for r in pending)
    assert pending[2]["Retry-After"] == "5"
    assert f'href="/agent/tickets/{claim.reference}/"' in pending[2].content.decode()
    workspace = staff.get(f"/agent/tickets/{claim.reference}/").content.decode()
    assert "正在检查，稍后即可查看" in workspace and f"/evidence/{evidence.pk}/" not in workspace
    relay()
    served = [b"".join(r.streaming_content) for r in answers()]
    assert served[0] == served[1] == served[2]
    assert not Image.open(io.BytesIO(served[0])).getexif()


def test_the_file_primitive_refuses_a_quarantined_name():
    import pytest
    from django.http import Http404

    from helpdesk.uploads import private_file_response

    with pytest.raises(Http404):
        private_file_response("quarantine/evidence/x.png", download_name="x.png", content_type="image/png")
