"""Guest drafts: fields always kept, files parked only within an hourly allowance, purged after DRAFT_TTL."""

from __future__ import annotations

import os
import time

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from tests.support.tickets import form_data, png_file
from tickets.claims import drafts

INVALID = {"description": "太短"}  # the form comes back with an error


def _stored_draft_files() -> list[str]:
    out = []
    for folder in ("drafts", "quarantine/drafts"):
        try:
            out += [f"{folder}/{name}" for name in default_storage.listdir(folder)[1]]
        except FileNotFoundError:
            continue
    return out


def _post(client: Client, platform, files: int, *, valid: bool = False, address: str = "203.0.113.7"):
    data = form_data(platform, **({} if valid else INVALID))
    images = [png_file(f"shot-{i}.png", color=(i * 20 % 256, 10, 10)) for i in range(files)]
    return client.post("/claims/new/", {**data, "evidence": images}, REMOTE_ADDR=address)


def test_an_invalid_guest_form_parks_only_the_sessions_allowance(client, platform, settings):
    settings.DRAFT_QUOTA_FILES = 3
    response = _post(client, platform, 10)
    assert response.status_code == 400
    page = response.content.decode()
    assert "100元游戏点卡" in page  # everything typed is kept
    assert len(_stored_draft_files()) == 3
    assert page.count("再次附上") == 7  # each dropped file is named with a request to attach it again
    assert "shot-9.png" in page
    # The next try in the same hour parks nothing more.
    again = client.post(
        "/claims/new/", {**form_data(platform, **INVALID), "evidence": [png_file("late.png", color="blue")]}
    )
    assert "late.png" in again.content.decode() and len(_stored_draft_files()) == 3


def test_the_allowance_also_counts_bytes(client, platform, settings):
    one_file = len(png_file().read())
    settings.DRAFT_QUOTA_BYTES = one_file * 2 + 10
    _post(client, platform, 5)
    assert len(_stored_draft_files()) == 2


def test_a_fresh_session_from_the_same_network_gets_no_new_allowance(platform, settings):
    settings.DRAFT_QUOTA_FILES = 10
    settings.DRAFT_NETWORK_QUOTA_FILES = 4
    _post(Client(), platform, 3, address="198.51.100.7")
    _post(Client(), platform, 3, address="198.51.100.99")  # same /24, cookies dropped
    assert len(_stored_draft_files()) == 4
    _post(Client(), platform, 2, address="192.0.2.1")  # another network has its own allowance
    assert len(_stored_draft_files()) == 6


def test_a_valid_guest_form_keeps_its_files_beyond_the_session_allowance(client, platform, settings):
    settings.DRAFT_QUOTA_FILES = 1
    response = _post(client, platform, 4, valid=True)
    assert response.status_code == 302 and response["Location"] == "/claims/new/account/"
    assert len(_stored_draft_files()) == 4


def test_a_valid_guest_form_is_still_held_to_the_network_allowance(client, platform, settings):
    settings.DRAFT_NETWORK_QUOTA_FILES = 2
    response = _post(client, platform, 4, valid=True)
    assert response.status_code == 302
    assert len(_stored_draft_files()) == 2
    notices = client.get("/claims/new/account/").content.decode()
    assert "再次附上" in notices


def test_a_resent_file_costs_nothing_twice(client, platform, settings):
    settings.DRAFT_QUOTA_FILES = 2
    _post(client, platform, 2)
    _post(client, platform, 2)  # the same two images again
    assert len(_stored_draft_files()) == 2
    page = _post(client, platform, 2).content.decode()
    assert "再次附上" not in page


@pytest.mark.parametrize("hours_old, purged", [(1.5, 0), (2.5, 1)])
def test_drafts_are_purged_after_two_hours(client, platform, hours_old, purged):
    _post(client, platform, 1)
    (path,) = _stored_draft_files()
    old = time.time() - hours_old * 3600
    os.utime(default_storage.path(path), (old, old))
    assert drafts.purge_expired_drafts() == purged
    assert len(_stored_draft_files()) == 1 - purged
    assert drafts.purge_expired_drafts() == 0  # idempotent


def test_an_expired_draft_keeps_the_fields_but_no_longer_lists_its_files(client, platform, time_machine):
    _post(client, platform, 1)
    time_machine.move_to("2099-01-01")  # long past DRAFT_TTL
    page = client.get("/claims/new/").content.decode()
    assert "100元游戏点卡" in page and "shot-0.png" not in page
