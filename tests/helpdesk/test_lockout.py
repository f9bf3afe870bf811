"""Lockout keys on the real client address and the account a sign-in name resolves to.

Runs on both databases; CI runs it on PostgreSQL, whose case-insensitive match maps ``ſ`` to ``s``.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from helpdesk.auth import axes_username
from tests.factories import UserFactory

ADDRESS = "192.0.2.10"


def _fail(client, username: str, **extra: str) -> None:
    client.post("/accounts/login/", {"username": username, "password": "wrong"}, **extra)


def _sign_in(client, username: str, password: str, **extra: str) -> int:
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra).status_code


@pytest.fixture
def phone_customer(db):
    return UserFactory(email="sam@example.com", phone="+8613900138000", phone_verified_at=timezone.now())


EMAIL_SPELLINGS = [
    "ſam@example.com",  # LATIN SMALL LETTER LONG S: PostgreSQL's upper() maps it to S
    "SAM@EXAMPLE.COM",
    "Sam@Example.com",
    "ｓａｍ@ｅｘａｍｐｌｅ.ｃｏｍ",  # full-width
    "  sam@example.com ",
]
PHONE_SPELLINGS = [
    "+86 139 0013 8000",
    "139-0013-8000",
    "１３９００１３８０００",
    "0086 13900138000",
    "13900138000",
]


@pytest.mark.parametrize("spelling", EMAIL_SPELLINGS + PHONE_SPELLINGS)
def test_every_spelling_is_refused_once_the_account_is_locked(
    db, client, phone_customer, password, settings, spelling
):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _fail(client, "sam@example.com", REMOTE_ADDR=ADDRESS)
    assert _sign_in(client, spelling, password, REMOTE_ADDR=ADDRESS) == 429


def test_spellings_share_one_failure_budget(db, client, phone_customer, password, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for spelling in ("ſam@example.com", "139-0013-8000", "ＳＡＭ@example.com"):
        _fail(client, spelling, REMOTE_ADDR=ADDRESS)
    assert _sign_in(client, "sam@example.com", password, REMOTE_ADDR=ADDRESS) == 429


def test_each_spelling_signs_in_when_not_locked(db, client, phone_customer, password):
    for spelling in ("ſam@example.com", "ｓａｍ@example.com", "+86 139-0013-8000", "１３９００１３８０００"):
        client.logout()
        assert _sign_in(client, spelling, password) == 302, spelling


def test_unknown_names_share_a_canonical_counter(db, rf):
    keys = {
        axes_username(rf.post("/"), {"username": spelling})
        for spelling in ("Nobody@Example.com", "NOBODY@EXAMPLE.COM", "ｎobody@example.com")
    }
    assert keys == {"email:nobody@example.com"}
    phones = {axes_username(rf.post("/"), {"username": s}) for s in PHONE_SPELLINGS}
    assert phones == {"phone:+8613900138000"}


def test_an_unverified_phone_neither_signs_in_nor_resolves(db, client, password):
    user = UserFactory(email="unverified@example.com", phone="+8613900138001")
    assert _sign_in(client, "13900138001", password) == 200
    assert axes_username(None, {"username": "13900138001"}) == "phone:+8613900138001"  # type: ignore[arg-type]
    assert axes_username(None, {"username": user.email.upper()}) == f"account:{user.pk}"  # type: ignore[arg-type]


def test_behind_a_proxy_the_lock_keys_on_the_real_client(db, client, customer, password, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(3):
        _fail(client, customer.email, HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy)
    # The attacker behind the same proxy is locked out ...
    assert _sign_in(client, customer.email, password, HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy) == 429
    # ... even when it forges an extra hop in front (only the proxy's own entry is trusted) ...
    forged = "203.0.113.5, 198.51.100.66"
    assert _sign_in(client, customer.email, password, HTTP_X_FORWARDED_FOR=forged, **proxy) == 429
    # ... but the account owner, through the same proxy from another address, is not.
    client.logout()
    assert _sign_in(client, customer.email, password, HTTP_X_FORWARDED_FOR="198.51.100.77", **proxy) == 302
