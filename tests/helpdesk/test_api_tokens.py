"""API tokens expire, die with the password, can be listed and revoked, and bind staff to their 2FA."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from helpdesk.models import ApiToken, AuditEntry
from tests.support.auth import current_code, totp_device

TOKEN_URL = "/api/v1/auth/token/"


def _token(user, password: str, **extra: str) -> str:
    response = APIClient().post(
        TOKEN_URL, {"email": user.email, "password": password, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"token", "role"}  # the endpoint's JSON shape is unchanged
    return str(body["token"])


def _me(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return int(client.get("/api/v1/me/").status_code)


def test_only_a_hash_of_the_key_is_stored(customer, password):
    key = _token(customer, password)
    token = ApiToken.objects.get(user=customer)
    assert key not in (token.key_hash, token.prefix) and token.prefix == key[:8]
    assert _me(key) == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_each_sign_in_gets_its_own_token(customer, password):
    first, second = _token(customer, password), _token(customer, password)
    assert first != second and _me(first) == 200 and _me(second) == 200


def test_a_token_expires_after_the_ttl(customer, password, settings):
    settings.API_TOKEN_TTL = timedelta(days=2)
    key = _token(customer, password)
    token = ApiToken.objects.get(user=customer)
    assert timedelta(days=2) - (token.expires_at - token.created_at) < timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _me(key) == 401


def test_delete_revokes_the_token_used_and_only_it(customer, password):
    key, other = _token(customer, password), _token(customer, password)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete(TOKEN_URL).json() == {"revoked": True}
    assert _me(key) == 401 and _me(other) == 200
    assert AuditEntry.objects.filter(action="user.api_token_revoked", actor=customer).exists()


def test_delete_without_a_token_is_refused(client, customer):
    assert APIClient().delete(TOKEN_URL).status_code == 401


def test_a_password_change_revokes_every_token(client, customer, password):
    key = _token(customer, password)
    client.force_login(customer)
    response = client.post(
        "/accounts/password-change/",
        {
            "old_password": password,
            "new_password1": "a-new-passphrase-77",
            "new_password2": "a-new-passphrase-77",
        },
    )
    assert response.status_code == 302
    assert _me(key) == 401 and not ApiToken.objects.filter(user=customer).exists()


def test_a_password_set_anywhere_else_kills_tokens_too(customer, password):
    key = _token(customer, password)
    customer.set_password("set-in-the-admin-99")
    customer.save()
    assert _me(key) == 401


def test_a_password_reset_revokes_every_token(client, customer, password):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    key = _token(customer, password)
    uid = urlsafe_base64_encode(force_bytes(customer.pk))
    url = client.get(f"/accounts/password-reset/{uid}/{default_token_generator.make_token(customer)}/").url
    response = client.post(
        url, {"new_password1": "reset-passphrase-88", "new_password2": "reset-passphrase-88"}
    )
    assert response.status_code == 302
    assert _me(key) == 401 and not ApiToken.objects.filter(user=customer).exists()


def test_account_settings_list_and_revoke_tokens(client, customer, other_customer, password):
    mine = _token(customer, password)
    theirs = _token(other_customer, password)
    client.force_login(customer)
    page = client.get("/accounts/tokens/")
    assert mine[:8] in page.content.decode() and theirs[:8] not in page.content.decode()
    their_id = ApiToken.objects.get(user=other_customer).pk
    client.post("/accounts/tokens/", {"token": their_id})  # another person's token: nothing happens
    assert _me(theirs) == 200
    client.post("/accounts/tokens/", {"token": ApiToken.objects.get(user=customer).pk})
    assert _me(mine) == 401
    assert "abc" not in client.post("/accounts/tokens/", {"token": "abc"}).url  # junk: no 500


def test_staff_tokens_need_totp_while_2fa_is_required(agent, password, settings):
    settings.STAFF_2FA_REQUIRED = False
    without_2fa = _token(agent, password)
    assert _me(without_2fa) == 200
    device = totp_device(agent)
    with_2fa = _token(agent, password, otp_token=current_code(device))
    settings.STAFF_2FA_REQUIRED = True
    assert _me(without_2fa) == 401  # issued while 2FA was off: dead once it is on
    assert _me(with_2fa) == 200
    assert ApiToken.objects.get(key_hash__isnull=False, otp_verified=True).user == agent


def test_a_too_short_ttl_stops_start_up():
    from tests.helpdesk.test_settings import PRODUCTION_ENV, run_manage

    result = run_manage("check", env={**PRODUCTION_ENV, "API_TOKEN_TTL": "5s"})
    assert result.returncode != 0 and "API_TOKEN_TTL" in result.stderr


def test_expired_tokens_are_purged(customer, password):
    from helpdesk.tasks import purge_expired_api_tokens

    live, dead = _token(customer, password), _token(customer, password)
    ApiToken.objects.filter(prefix=dead[:8]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert purge_expired_api_tokens() == 1
    assert list(ApiToken.objects.values_list("prefix", flat=True)) == [live[:8]]
