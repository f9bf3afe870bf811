"""Registration and reset say nothing about who has an account, are throttled, and phones are verified."""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.utils import timezone

from helpdesk import outbox, sms
from helpdesk.env import Env
from helpdesk.models import AuditEntry, User
from helpdesk.sms import LoggingBackend, SmsMessage
from tests.factories import UserFactory

NEW = {
    "email": "new.person@example.com",
    "display_name": "新人",
    "phone": "139 0013 8000",
    "password1": "a-long-passphrase-42",
    "password2": "a-long-passphrase-42",
}


@pytest.fixture(autouse=True)
def _clear_sms():
    sms.LoggingBackend.sent.clear()


def deliver() -> None:
    while outbox.relay():
        pass


def _code() -> str:
    return "".join(ch for ch in sms.LoggingBackend.sent[-1].text if ch.isdigit())[:6]


def test_registering_an_existing_address_says_check_your_email_and_tells_the_owner(client, customer):
    response = client.post("/accounts/register/", {**NEW, "email": "ALICE@example.com"})
    deliver()
    assert response.status_code == 200
    body = response.content.decode()
    assert "已存在" not in body and "alice@example.com" in body  # "we sent a message to …"
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    assert "_auth_user_id" not in client.session
    (notice,) = mail.outbox
    assert notice.to == [customer.email] and "/accounts/login/" in notice.body
    assert "密码" in notice.body and notice.alternatives  # zh by default, with an HTML part
    assert AuditEntry.objects.filter(action="user.register_existing", object_id=str(customer.pk)).exists()


def test_other_spellings_of_an_existing_address_are_the_same_address(client, db):
    UserFactory(email="sam@example.com")
    for spelling in ("ſam@example.com", "ＳＡＭ@example.com", "Sam@Example.COM"):
        assert client.post("/accounts/register/", {**NEW, "email": spelling}).status_code == 200
    deliver()
    assert User.objects.count() == 1 and len(mail.outbox) == 3


def _activation_link(message) -> str:
    return re.search(r"https?://\S*/accounts/activate/\S+", message.body).group(0)


def _activation_path(message) -> str:
    """The link's path, without the site and the ?next= part."""
    return urlsplit(_activation_link(message)).path


def test_a_new_account_waits_for_its_email_link_with_its_phone_unverified(client, db):
    response = client.post("/accounts/register/", NEW)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    user = User.objects.get(email="new.person@example.com")
    assert not user.is_active and user.phone == "+8613900138000" and user.phone_verified_at is None
    assert not user.has_verified_phone
    client.post("/accounts/login/", {"username": NEW["email"], "password": NEW["password1"]})
    assert "_auth_user_id" not in client.session


def test_registration_answers_the_same_page_whether_or_not_the_address_has_an_account(client, db):
    UserFactory(email="known@example.com")

    def answer(email: str) -> bytes:
        body = client.post("/accounts/register/", {**NEW, "email": email}).content
        body = body.replace(email.encode(), b"EMAIL")
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)

    assert answer("known@example.com") == answer("unknown@example.com")
    deliver()
    assert {m.to[0] for m in mail.outbox} == {"known@example.com", "unknown@example.com"}


def test_the_emailed_link_activates_signs_in_and_returns_to_next_once(client, db):
    client.post("/accounts/register/?next=/claims/", NEW)
    deliver()
    (message,) = mail.outbox
    assert message.to == [NEW["email"]] and message.alternatives and "next=%2Fclaims%2F" in message.body
    link = urlsplit(_activation_link(message))
    shown = client.get(f"{link.path}?{link.query}")  # a mail scanner's GET changes nothing
    assert shown.status_code == 200 and 'value="/claims/"' in shown.content.decode()
    assert not User.objects.get(email=NEW["email"]).is_active
    confirmed = client.post(link.path, {"next": "/claims/"})
    assert confirmed.status_code == 302 and confirmed["Location"] == "/claims/"
    user = User.objects.get(email=NEW["email"])
    assert user.is_active and client.session["_auth_user_id"] == str(user.pk)
    assert AuditEntry.objects.filter(action="user.activated", object_id=str(user.pk)).exists()
    client.logout()
    assert client.post(link.path).status_code == 400  # used: it works once
    assert "_auth_user_id" not in client.session
    client.post("/accounts/login/", {"username": NEW["email"], "password": NEW["password1"]})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_emailed_link_expires_and_cannot_be_forged(client, db, settings, monkeypatch):
    client.post("/accounts/register/", NEW)
    deliver()
    path = _activation_path(mail.outbox[0])
    later = time.time() + settings.ACCOUNT_ACTIVATION_TTL.total_seconds() + 60
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: later)
        assert client.post(path).status_code == 400
    assert client.post(path.replace("/activate/", "/activate/x")).status_code == 400
    assert not User.objects.get(email=NEW["email"]).is_active
    assert client.post(path).status_code == 302  # still valid now


def test_registering_again_before_confirming_replaces_the_details_and_the_link(client, db):
    client.post("/accounts/register/", NEW)
    deliver()  # links are made when the message is sent
    again = "another-passphrase-7"
    client.post("/accounts/register/", {**NEW, "password1": again, "password2": again})
    deliver()
    first, second = (_activation_path(m) for m in mail.outbox)
    assert User.objects.filter(email=NEW["email"]).count() == 1
    assert client.post(first).status_code == 400
    assert client.post(second).status_code == 302
    assert User.objects.get(email=NEW["email"]).check_password(again)


def test_a_switched_off_account_is_not_revived_by_registering(client, db):
    user = UserFactory(email="off@example.com")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.post("/accounts/register/", {**NEW, "email": "off@example.com"}).status_code == 200
    deliver()
    user.refresh_from_db()
    assert not user.is_active and not user.check_password(NEW["password1"]) and mail.outbox == []


def test_registration_is_throttled_per_address(client, settings, db):
    settings.ACCOUNT_RATE_PER_ADDRESS = (2, 3600)
    for n in range(2):
        assert client.post("/accounts/register/", {**NEW, "email": f"p{n}@example.com"}).status_code == 200
    refused = client.post("/accounts/register/", {**NEW, "email": "p9@example.com", "display_name": "留着"})
    assert refused.status_code == 429 and 'value="留着"' in refused.content.decode()
    assert not User.objects.filter(email="p9@example.com").exists() and User.objects.count() == 2
    assert (
        client.post(
            "/accounts/register/", {**NEW, "email": "p8@example.com"}, REMOTE_ADDR="192.0.2.8"
        ).status_code
        == 200
    )


def test_registration_is_throttled_per_target_address(client, customer, settings):
    settings.ACCOUNT_RATE_PER_TARGET = (2, 3600)
    for n in range(2):
        client.post("/accounts/register/", {**NEW, "email": customer.email}, REMOTE_ADDR=f"192.0.2.{n}")
    refused = client.post("/accounts/register/", {**NEW, "email": customer.email}, REMOTE_ADDR="192.0.2.50")
    deliver()
    assert refused.status_code == 429 and len(mail.outbox) == 2


def test_password_reset_answers_the_same_for_anyone_and_sends_the_project_email(client, customer):
    unknown = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    known = client.post("/accounts/password-reset/", {"email": "ＡＬＩＣＥ@example.com"})
    assert unknown.status_code == known.status_code == 302 and unknown.url == known.url
    deliver()
    (message,) = mail.outbox
    assert message.to == [customer.email]
    assert "官方客服绝不会索要您的密码、短信验证码或要求转账。" in message.body
    html = message.alternatives[0][0]
    assert "官方客服绝不会索要" in html and "/accounts/password-reset/" in html
    assert "admin" not in message.body.lower()
    link = next(line for line in message.body.splitlines() if "/accounts/password-reset/" in line)
    page = client.get(client.get(link.split("8000", 1)[1]).url)
    assert page.status_code == 200 and "new_password1" in page.content.decode()  # the link works


def test_the_reset_email_is_in_the_owners_language(client, customer):
    customer.language = "en"
    customer.save()
    client.post("/accounts/password-reset/", {"email": customer.email})
    deliver()
    assert "Official support never asks for your password" in mail.outbox[0].body


def test_password_reset_is_throttled(client, customer, settings):
    settings.ACCOUNT_RATE_PER_TARGET = (1, 3600)
    for n in range(3):
        assert (
            client.post(
                "/accounts/password-reset/", {"email": customer.email}, REMOTE_ADDR=f"192.0.2.{n}"
            ).status_code
            == 302
        )
    deliver()
    assert len(mail.outbox) == 1  # the same answer, but one e-mail per hour per target
    settings.ACCOUNT_RATE_PER_ADDRESS = (1, 3600)
    assert (
        client.post(
            "/accounts/password-reset/", {"email": "x@example.com"}, REMOTE_ADDR="192.0.2.77"
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/accounts/password-reset/", {"email": "y@example.com"}, REMOTE_ADDR="192.0.2.77"
        ).status_code
        == 429
    )


def test_a_phone_is_verified_by_sms_code_then_signs_in(client, customer, password):
    assert (
        client.post("/accounts/login/", {"username": "13900138000", "password": password}).status_code == 200
    )
    client.force_login(customer)
    client.post("/accounts/phone/", {"action": "send", "phone": "+86 139-0013-8000"})
    assert sms.LoggingBackend.sent[-1].to == "+8613900138000"
    wrong = client.post(
        "/accounts/phone/", {"action": "confirm", "code": "000000" if _code() != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and "不正确" in wrong.content.decode()
    assert client.post("/accounts/phone/", {"action": "confirm", "code": _code()}).status_code == 302
    customer.refresh_from_db()
    assert customer.has_verified_phone and customer.phone == "+8613900138000"
    client.logout()
    assert (
        client.post("/accounts/login/", {"username": "139 0013 8000", "password": password}).status_code
        == 302
    )


def test_one_verified_account_per_phone(client, customer, other_customer):
    other_customer.phone, other_customer.phone_verified_at = "+8613900138000", timezone.now()
    other_customer.save()
    client.force_login(customer)
    client.post("/accounts/phone/", {"action": "send", "phone": "13900138000"})
    client.post("/accounts/phone/", {"action": "confirm", "code": _code()})
    other_customer.refresh_from_db()
    customer.refresh_from_db()
    assert customer.has_verified_phone and not other_customer.has_verified_phone
    assert User.objects.filter(phone="+8613900138000", phone_verified_at__isnull=False).count() == 1


def test_the_database_refuses_a_second_verified_account_for_a_phone(customer, other_customer):
    from django.db import IntegrityError, transaction

    for user in (customer, other_customer):
        user.phone = "+8613900138000"
    customer.phone_verified_at = timezone.now()
    customer.save()
    other_customer.phone_verified_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        other_customer.save()


def test_too_many_wrong_codes_burn_the_code(client, customer, settings):
    settings.PHONE_CODE_MAX_TRIES = 2
    client.force_login(customer)
    client.post("/accounts/phone/", {"action": "send", "phone": "13900138000"})
    good = _code()
    bad = "000000" if good != "000000" else "111111"
    client.post("/accounts/phone/", {"action": "confirm", "code": bad})
    client.post("/accounts/phone/", {"action": "confirm", "code": bad})
    response = client.post("/accounts/phone/", {"action": "confirm", "code": good})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert not customer.has_verified_phone


def test_sms_codes_are_throttled(client, customer, settings):
    settings.ACCOUNT_RATE_PER_TARGET = (2, 3600)
    client.force_login(customer)
    for _ in range(2):
        assert client.post("/accounts/phone/", {"action": "send", "phone": "13900138000"}).status_code == 302
    assert client.post("/accounts/phone/", {"action": "send", "phone": "13900138000"}).status_code == 429
    assert len(sms.LoggingBackend.sent) == 2


def test_an_unverified_phone_gets_no_sms_notification(customer):
    from helpdesk import notifications

    customer.phone = "+8613900138000"
    customer.save()
    notifications.notification_preference_set(user=customer, email=False, sms_enabled=True)
    notifications.notify(user_ids=[customer.pk], event="claim.filed", context={"reference": "X"})
    from helpdesk.outbox import relay

    relay()
    assert sms.LoggingBackend.sent == []


def test_the_logging_backend_shows_the_code_in_debug_only(settings, caplog):
    from helpdesk.logging import RedactFilter

    text = "[ClaimDesk] Your verification code is 482913, valid for 10 minutes."
    with caplog.at_level(logging.INFO, logger="helpdesk.sms"):
        settings.DEBUG = False
        LoggingBackend().send(SmsMessage(to="+8613900138000", text=text))
        assert "482913" not in caplog.text
        settings.DEBUG = True
        LoggingBackend().send(SmsMessage(to="+8613900138000", text=text))
    shown = [r for r in caplog.records if "482913" in r.getMessage()]
    assert shown and all(RedactFilter().filter(r) for r in shown)
    assert "482913" in shown[0].getMessage()  # still readable after the redaction filter
    assert "13900138000" not in caplog.text


def test_rates_are_read_strictly():
    assert Env({"R": "5/hour"}).rate("R", "1/min") == (5, 3600)
    assert Env({}).rate("R", "3/min") == (3, 60)
    with pytest.raises(Exception, match="R"):
        Env({"R": "five/hour"}).rate("R", "1/min")


def test_existing_unverified_duplicates_do_not_block_registration(client, db):
    UserFactory(email="a@example.com", phone="+8613900138000")
    assert client.post("/accounts/register/", NEW).status_code == 200
    assert User.objects.filter(email=NEW["email"]).exists()
