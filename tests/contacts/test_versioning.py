"""The directory version kept in process memory (``contacts.versioning``): read once per
``DIRECTORY_VERSION_TTL`` (at most 1 s), seen at once by the process that changed the directory, within the
TTL by the others, and never kept when read inside a transaction (it could be an uncommitted bump).

These tests commit for real (``transactional_db``): inside the test transaction nothing is ever kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from contacts import services, versioning
from contacts.models import DirectoryVersion, Platform
from tests.factories import PlatformFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(versioning.time, "monotonic", clock)
    versioning.forget()
    yield clock
    versioning.forget()


def _committed_bump() -> None:
    with transaction.atomic():
        versioning.bump()


def _changed_by_another_process() -> None:
    """What another process's bump looks like from here: the row changes, nothing in this process forgets."""
    DirectoryVersion.objects.filter(pk=1).update(number=DirectoryVersion.objects.get(pk=1).number + 1)


def test_the_version_is_read_once_per_ttl(clock, django_assert_num_queries):
    _committed_bump()
    with django_assert_num_queries(1):
        first = versioning.current()
        clock.now += 0.5
        assert versioning.current() == first
    clock.now += 0.6
    with django_assert_num_queries(1):
        versioning.current()


def test_a_change_is_seen_at_once_by_the_process_that_made_it(clock):
    _committed_bump()
    before = versioning.current()
    _committed_bump()
    assert versioning.current().number == before.number + 1


def test_another_process_s_change_is_seen_within_the_ttl(clock, settings):
    _committed_bump()
    before = versioning.current()
    _changed_by_another_process()
    assert versioning.current() == before  # kept: at most DIRECTORY_VERSION_TTL old
    clock.now += settings.DIRECTORY_VERSION_TTL.total_seconds()
    assert versioning.current().number == before.number + 1


def test_the_ttl_is_at_most_one_second(settings):
    assert timedelta(0) < settings.DIRECTORY_VERSION_TTL <= timedelta(seconds=1)


def test_a_version_read_inside_a_transaction_is_never_kept(clock):
    _committed_bump()
    before = versioning.current()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        versioning.bump()
        assert versioning.current().number == before.number + 1  # its own, uncommitted
        1 / 0  # noqa: B018 - the change is rolled back
    assert versioning.current() == before


def test_a_read_that_started_before_a_change_does_not_keep_the_old_number(clock):
    _committed_bump()
    generation = versioning._kept.generation
    old = versioning.current()
    versioning.forget()  # a bump commits while that read was in flight
    versioning._kept.put(old, generation, clock.now + 1)
    assert versioning._kept.get(clock.now) is None


def test_with_no_ttl_every_request_reads_the_version(clock, settings, django_assert_num_queries):
    settings.DIRECTORY_VERSION_TTL = timedelta(0)
    _committed_bump()
    with django_assert_num_queries(2):
        versioning.current()
        versioning.current()


@pytest.fixture
def platform(admin_a) -> Platform:
    """Transactional tests start from an empty database (no problem types for the demo): one platform."""
    platform = PlatformFactory(name="星云卡盟", slug="xingyun")
    _committed_bump()
    return platform


def _page(client) -> str:
    response = client.get("/platforms/xingyun/")
    assert response.status_code == 200 and response["Cache-Control"].startswith("public")
    return response.content.decode()


def test_an_anonymous_page_changes_at_once_after_a_change_in_this_process(client, clock, platform, admin_a):
    assert "星云卡盟" in _page(client) and "星云卡盟旗舰" not in _page(client)
    services.platform_save(actor=admin_a, platform=platform, name="星云卡盟旗舰", slug="xingyun")
    assert "星云卡盟旗舰" in _page(client)


def test_another_process_s_change_reaches_the_page_within_the_ttl(client, clock, platform, admin_a, settings):
    assert "星云卡盟旗舰" not in _page(client)
    services.platform_save(actor=admin_a, platform=platform, name="星云卡盟旗舰", slug="xingyun")
    # As a process that did not make the change sees it: the old number kept, then the TTL runs out.
    versioning._kept.put(versioning.Version(1, versioning._EPOCH), versioning._kept.generation, clock.now + 1)
    assert versioning.current().number == 1
    clock.now += settings.DIRECTORY_VERSION_TTL.total_seconds()
    assert "星云卡盟旗舰" in _page(client)
