from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpdesk import outbox
from helpdesk.models import AuditEntry, Role, User
from tests.support.auth import current_code, totp_device


def test_a_customer_registers_and_is_signed_in_by_the_emailed_link(client, db):
    response = client.post(
        "/accounts/register/",
        {
            "email": "New.User@Example.com",
            "display_name": "新用户",
            "phone": "138 0013 8000",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 200
    user = User.objects.get(email="new.user@example.com")
    assert user.role == Role.CUSTOMER and user.phone == "+8613800138000" and not user.is_active
    assert AuditEntry.objects.filter(action="user.register", object_id=str(user.pk)).exists()
    while outbox.relay():
        pass
    link = re.search(r"/accounts/activate/[^/\s]+/", mail.outbox[0].body).group(0)
    assert client.post(link).status_code == 302
    assert client.get("/").context["user"] == user


def test_registration_errors_are_clear_and_keep_what_was_typed(client, customer):
    response = client.post(
        "/accounts/register/",
        {
            "email": customer.email.upper(),
            "display_name": "保留我",
            "phone": "12345",
            "password1": "a-long-passphrase-42",
            "password2": "different-passphrase-42",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "已存在" not in body  # whether the address has an account is never said
    assert "有效的手机号码" in body or "有效的电话号码" in body
    assert 'value="保留我"' in body


def test_email_login_is_case_insensitive(client, customer, password):
    response = client.post("/accounts/login/", {"username": "ALICE@example.com", "password": password})
    assert response.status_code == 302


def test_staff_must_enrol_and_pass_totp_before_reaching_anything(client, agent, password):
    client.post("/accounts/login/", {"username": agent.email, "password": password})
    assert client.get("/").url == "/accounts/2fa/"
    assert client.get("/accounts/2fa/").url == "/accounts/2fa/setup/"
    client.get("/accounts/2fa/setup/")
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    response = client.post("/accounts/2fa/setup/", {"otp_token": current_code(device)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_wrong_totp_code_keeps_staff_out(client, agent, password):
    totp_device(agent)
    client.post("/accounts/login/", {"username": agent.email, "password": password})
    response = client.post("/accounts/2fa/", {"otp_token": "123456"})
    assert response.status_code == 200 and "无效" in response.content.decode()
    assert client.get("/").status_code == 302


def test_second_factor_can_be_turned_off_for_demos(client, agent, password, settings):
    settings.STAFF_2FA_REQUIRED = False
    client.post("/accounts/login/", {"username": agent.email, "password": password})
    assert client.get("/").status_code == 200


def test_login_locks_the_ip_and_username_pair_after_repeated_failures(client, customer, password, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(
            "/accounts/login/", {"username": customer.email, "password": "wrong"}, REMOTE_ADDR="192.0.2.1"
        )
    locked = client.post(
        "/accounts/login/", {"username": customer.email, "password": password}, REMOTE_ADDR="192.0.2.1"
    )
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # Another address is not locked out of the same account, so an attacker cannot lock a victim out.
    other_ip = client.post(
        "/accounts/login/", {"username": customer.email, "password": password}, REMOTE_ADDR="192.0.2.2"
    )
    assert other_ip.status_code == 302


def test_password_reset_sends_a_link(client, customer):
    response = client.post("/accounts/password-reset/", {"email": customer.email})
    assert response.status_code == 302
    while outbox.relay():  # account e-mails go through the outbox
        pass
    assert len(mail.outbox) == 1
    assert "/accounts/password-reset/" in mail.outbox[0].body
    assert mail.outbox[0].to == [customer.email]


@pytest.mark.parametrize("role", ["customer", "agent", "supervisor", "directory_admin"])
def test_each_role_can_sign_in(role, request, login_as):
    user = request.getfixturevalue(role)
    client = login_as(user)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["user"] == user


@pytest.mark.parametrize("engine", ["db", "cached_db"])
def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(
    client, customer, password, settings, engine
):
    """With a shared cache sessions are read from it first (cached_db, helpdesk.settings): a copied cookie, as
    another browser tab, worker or thief would present it, must stop working at sign-out all the same."""
    settings.SESSION_ENGINE = f"django.contrib.sessions.backends.{engine}"
    assert (
        client.post("/accounts/login/", {"username": customer.email, "password": password}).status_code == 302
    )
    copy = Client()
    copy.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert copy.get("/claims/").status_code == 200
    client.post("/accounts/logout/")
    response = copy.get("/claims/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
