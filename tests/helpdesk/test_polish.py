"""Public polish: languages named in themselves, an SVG bell, one format for amounts and phone numbers, a
phone header menu that works without JavaScript, and notifications in the language the person chose."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from helpdesk import notifications, outbox
from helpdesk.models import Notification
from helpdesk.templatetags.claimdesk import money, phone

pytestmark = pytest.mark.django_db


def test_the_language_menu_names_each_language_in_itself(client):
    page = client.get("/").content.decode()
    assert ">English</option>" in page and ">简体中文</option>" in page
    assert "英语" not in page


def test_the_bell_is_an_svg_icon_and_the_header_has_a_menu(login_as, customer):
    page = login_as(customer).get("/").content.decode()
    bell = page[page.index('class="bell"') : page.index("</a>", page.index('class="bell"'))]
    assert "<svg" in bell and "🔔" not in page
    assert '<details class="nav-menu" open data-nav-menu>' in page and "<summary" in page


@pytest.mark.parametrize(
    ("language", "amount", "currency", "expected"),
    [
        ("en", Decimal("800"), "CNY", "¥800.00"),
        ("zh-hans", Decimal("800"), "CNY", "800.00 元"),
        ("en", Decimal("12345.5"), "CNY", "¥12,345.50"),
        ("en", Decimal("10"), "USD", "US$10.00"),
        ("zh-hans", Decimal("10"), "JPY", "10.00 JPY"),
    ],
)
def test_amounts_read_naturally_in_each_language(language, amount, currency, expected):
    with translation.override(language):
        assert money(amount, currency) == expected


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("zh-hans", "+8613912345678", "139 1234 5678"),
        ("en", "13912345678", "+86 139 1234 5678"),
        ("zh-hans", "+14155550123", "+1 415-555-0123"),
        ("en", "not a number", "not a number"),
        ("en", "", ""),
    ],
)
def test_phone_numbers_are_grouped(language, value, expected):
    with translation.override(language):
        assert phone(value) == expected


def test_switching_to_english_makes_notifications_english(login_as, customer):
    assert customer.language != "en"
    client = login_as(customer)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.language == "en"
    context = {"reference": "XY-20261122-7K3Q9M", "platform": "星云卡盟", "subject": "A1"}
    notifications.notify(user_ids=[customer.pk], event="claim.filed", context=context)
    while outbox.relay():
        pass
    assert Notification.objects.get(user=customer).title.startswith("Claim XY-20261122-7K3Q9M")


def test_signing_in_with_english_chosen_remembers_it(client, customer, password):
    client.cookies["claimdesk_language"] = "en"
    client.post("/accounts/login/", {"username": customer.email, "password": password})
    customer.refresh_from_db()
    assert customer.language == "en"
