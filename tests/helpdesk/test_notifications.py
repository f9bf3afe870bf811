"""Notifications: after commit, in each person's language and chosen channels, once; the bell shows them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from helpdesk import notifications, outbox, sms
from helpdesk.models import Notification, NotificationTemplate, OutboxMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"reference": "XY-20261122-7K3Q9M", "platform": "星云卡盟", "subject": "A1-充值未到账-P1"}


def deliver() -> None:
    while outbox.relay():
        pass


@pytest.fixture(autouse=True)
def _clear_sms():
    sms.LoggingBackend.sent.clear()


def test_nothing_is_sent_if_the_change_rolls_back(customer):
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify(user_ids=[customer.pk], event="claim.filed", context=CONTEXT)
        raise RuntimeError
    deliver()
    assert not Notification.objects.exists() and mail.outbox == []


def test_each_person_gets_it_in_their_language_and_channels(customer, other_customer):
    other_customer.language = "en"
    other_customer.phone = "+8613800138000"
    other_customer.phone_verified_at = timezone.now()
    other_customer.save()
    notifications.notification_preference_set(user=other_customer, email=False, sms_enabled=True)
    notifications.notify(
        user_ids=[customer.pk, other_customer.pk], event="claim.filed", context=CONTEXT, url="/claims/XY-1/"
    )
    deliver()
    zh = Notification.objects.get(user=customer)
    en = Notification.objects.get(user=other_customer)
    assert zh.title == "索赔 XY-20261122-7K3Q9M 已提交"  # docs/glossary.md: a claim is 索赔
    assert en.title == "Claim XY-20261122-7K3Q9M filed"
    assert [m.to for m in mail.outbox] == [[customer.email]]
    assert "http://" in mail.outbox[0].body and "/claims/XY-1/" in mail.outbox[0].body
    assert [m.to for m in sms.LoggingBackend.sent] == ["+8613800138000"]
    assert "never ask" in sms.LoggingBackend.sent[0].text


def test_a_resent_email_or_sms_carries_the_same_dedupe_id(customer):
    """A crash between sending and marking re-sends the message: the receiver can tell it is the same."""
    customer.phone = "+8613800138000"
    customer.phone_verified_at = timezone.now()  # SMS goes to verified phones only
    customer.save()
    notifications.notification_preference_set(user=customer, email=True, sms_enabled=True)
    notifications.notify(user_ids=[customer.pk], event="claim.filed", context=CONTEXT)
    deliver()
    email_row = OutboxMessage.objects.get(event="notification.email")
    sms_row = OutboxMessage.objects.get(event="notification.sms")
    # What the relay would do again after a crash: run the same row's handlers once more.
    for row in (email_row, sms_row):
        for handler in outbox.handlers_for(row.event):
            handler(row.pk, row.payload)
    ids = {m.message()["Message-ID"] for m in mail.outbox}
    assert len(mail.outbox) == 2 and len(ids) == 1
    assert ids.pop().startswith(f"<outbox-{email_row.pk}@")
    assert {m.dedupe_key for m in sms.LoggingBackend.sent} == {f"outbox-{sms_row.pk}"}


def test_a_dedupe_key_sends_once_even_if_notified_twice(customer):
    for _ in range(2):
        notifications.notify(
            user_ids=[customer.pk], event="sla.breach", context=CONTEXT, dedupe_key="c1:first"
        )
    deliver()
    assert Notification.objects.filter(user=customer).count() == 1
    assert len(mail.outbox) == 1


def test_a_redelivered_fan_out_does_not_duplicate_anything(customer):
    notifications.notify(user_ids=[customer.pk], event="claim.filed", context=CONTEXT)
    message = OutboxMessage.objects.get(event="notification.send")
    notifications._fan_out(message.pk, message.payload)  # as if a worker died after running it
    notifications._fan_out(message.pk, message.payload)
    deliver()
    assert Notification.objects.filter(user=customer).count() == 1
    assert len(mail.outbox) == 1


def test_templates_are_data_and_can_translate_labels(customer):
    NotificationTemplate.objects.filter(event="claim.status_changed", channel="in_app").delete()
    NotificationTemplate.objects.create(
        event="claim.status_changed",
        channel="in_app",
        language="zh-hans",
        subject="{% load i18n %}{{ reference }} → {% translate status_label %}",
        body="",
    )
    notifications.notify(
        user_ids=[customer.pk], event="claim.status_changed", context={**CONTEXT, "status_label": "Email"}
    )
    deliver()
    with translation.override("zh-hans"):
        label = gettext("Email")
    assert label != "Email"
    assert Notification.objects.get().title == f"XY-20261122-7K3Q9M → {label}"


def test_an_edited_template_cannot_include_files(customer):
    NotificationTemplate.objects.filter(event="claim.filed", channel="in_app", language="zh-hans").update(
        subject='{% include "base.html" %}'
    )
    notifications.notify(user_ids=[customer.pk], event="claim.filed", context=CONTEXT)
    deliver()
    assert "<html" not in Notification.objects.get().title


def test_inactive_people_get_nothing(customer):
    customer.is_active = False
    customer.save()
    notifications.notify(user_ids=[customer.pk], event="claim.filed", context=CONTEXT)
    deliver()
    assert not Notification.objects.exists() and mail.outbox == []


# --- The bell -----------------------------------------------------------------------------------------------
def test_the_bell_shows_only_my_notifications_and_marks_them_read(login_as, customer, other_customer):
    Notification.objects.create(user=customer, event="x", title="Mine")
    Notification.objects.create(user=other_customer, event="x", title="Not mine")
    client = login_as(customer)
    badge = client.get("/notifications/badge/")
    assert ">1<" in badge.content.decode()
    page = client.get("/notifications/").content.decode()
    assert "Mine" in page and "Not mine" not in page
    client.post("/notifications/")
    assert Notification.objects.get(user=customer).read_at is not None
    assert Notification.objects.get(user=other_customer).read_at is None


def test_the_bell_list_uses_constant_queries(login_as, customer, django_assert_max_num_queries):
    client = login_as(customer)
    Notification.objects.bulk_create(Notification(user=customer, event="x", title=f"n{i}") for i in range(3))
    with django_assert_max_num_queries(8) as few:
        client.get("/notifications/")
    Notification.objects.bulk_create(Notification(user=customer, event="x", title=f"m{i}") for i in range(40))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/notifications/")


def test_the_bell_needs_sign_in(client):
    assert client.get("/notifications/").status_code == 302
    badge = client.get("/notifications/badge/")
    assert badge.status_code == 200 and "has-unread" not in badge.content.decode()


def test_preferences_are_saved_and_audited(login_as, customer):
    client = login_as(customer)
    response = client.post("/notifications/settings/", {"sms": "on"})
    assert response.status_code == 302
    customer.notification_preference.refresh_from_db()
    assert customer.notification_preference.email is False
    assert customer.notification_preference.sms is True


def test_unread_count_is_capped():
    user = UserFactory()
    Notification.objects.bulk_create(Notification(user=user, event="x", title="t") for _ in range(120))
    assert notifications.unread_count(user=user) == 100
