"""Every customer and public page, rendered in Chinese, has no untranslated English words.

Visible text and the attributes people read (placeholder, title, aria-label, alt, value of buttons) are
checked; links, e-mail addresses, domains and codes are not words. The allow-list holds brand names and
abbreviations that Chinese text uses as they are (docs/glossary.md)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from tests.factories import ClaimFactory, problem_type
from tests.support.tickets import ensure_problem_types

ALLOWED = {
    # brands, products and formats written in Latin letters in Chinese text too
    "api",
    # key names printed on keyboards (the agents' shortcut help)
    "enter",
    "esc",
    "url",
    "sms",
    "qq",
    "wechat",
    "pdf",
    "png",
    "jpeg",
    "webp",
    "heic",
    "cvv",
    "id",
    "ip",
    "otp",
    "pin",
    "totp",
    "csv",
    "json",
    "openapi",
    "html",
    "http",
    "https",
    "ios",
    "android",
    "app",
    "vip",
    "claimdesk",
    "alipay",
    "sla",
    "github",
    "email",
    "mb",
    "kb",
    "xingyun",
    "yueguang",
    "ai",
    "cny",
    "usd",
}
READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
NOT_WORDS = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[a-z]{2,})+(?:/\S*)?|"
    r"\b[A-Z]{2}-\d{8}-\w+\b|\b\w*\d\w*\b"
)
WORD = re.compile(r"[A-Za-z]{3,}")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Code, and text marked as another language (the language menu's "English"), are not checked.
        foreign = any(
            name == "lang" and value and not value.lower().startswith("zh") for name, value in attrs
        )
        if tag in ("script", "style", "code", "pre") or foreign:
            self._skip += 1
            self._skipping.append(tag)
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and not self._skip:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def english_words(html: str, *, extra: set[str] = frozenset()) -> set[str]:
    parser = _Text()
    parser.feed(html)
    text = NOT_WORDS.sub(" ", " ".join(parser.parts))
    return {w for w in WORD.findall(text) if w.lower() not in ALLOWED | extra}


@pytest.fixture
def zh(client):
    client.cookies["claimdesk_language"] = "zh-hans"
    return client


def assert_chinese(response, extra: set[str] = frozenset()) -> None:
    assert response.status_code in (200, 400), response.status_code
    words = english_words(response.content.decode(), extra=extra)
    assert not words, f"untranslated English on {response.wsgi_request.path}: {sorted(words)}"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?q=xinyun",
        "/check/",
        "/check/?q=400-612-3456",
        "/accounts/login/",
        "/accounts/register/",
        "/claims/new/",
        "/check/report/",
    ],
)
def test_public_pages_speak_chinese(zh, demo_directory, path):
    assert_chinese(zh.get(path, follow=True))


def test_the_checker_result_speaks_chinese(zh, demo_directory):
    sms = "【星云卡盟】您的账户异常，请回复验证码，或致电 400-612-3465 / 400-612-3456"
    assert_chinese(zh.post("/check/", {"q": sms}))


def test_a_platform_page_speaks_chinese(zh, demo_directory):
    assert_chinese(zh.get("/platforms/xingyun/"))


def test_the_customer_pages_speak_chinese(zh, login_as, customer, demo_directory):
    from contacts.models import Platform

    client = login_as(customer)
    client.cookies["claimdesk_language"] = "zh-hans"
    platform = Platform.objects.get(slug="xingyun")
    claim = ClaimFactory(
        customer=customer,
        platform=platform,
        problem_type=problem_type(),
        amount=Decimal("800.00"),
        first_response_due_at=timezone.now() + timedelta(minutes=10),
        is_high_value=True,
    )
    for path in (
        "/claims/",
        f"/claims/{claim.reference}/",
        "/notifications/",
        "/notifications/settings/",
        "/claims/new/",
    ):
        assert_chinese(client.get(path))
    assert_chinese(client.post("/claims/new/", {"amount": "abc"}))  # the error summary too


def test_the_staff_pages_speak_chinese(login_as, supervisor, agent, directory_admin, demo_directory):
    """Staff pages too (the routing page is left out: its rule names and conditions are data)."""
    from tests.factories import TeamFactory, join_team

    team = TeamFactory(slug="zh-check", name="中文组")
    join_team(agent, team)
    claim = ClaimFactory(team=team)
    pages = (
        (agent, ["/agent/queue/", "/agent/callbacks/", f"/agent/tickets/{claim.reference}/"]),
        (supervisor, ["/agent/supervisor/", "/agent/reports/sla/"]),
        (directory_admin, ["/directory/", "/directory/reports/", "/directory/appeals/"]),
    )
    for user, paths in pages:
        client = login_as(user)
        client.cookies["claimdesk_language"] = "zh-hans"
        for path in paths:
            assert_chinese(client.get(path))
        client.logout()


@pytest.fixture
def demo_directory(db, directory_admin, second_directory_admin):
    from contacts.demo import seed
    from tests.support.auth import totp_device

    ensure_problem_types()
    totp_device(directory_admin)
    totp_device(second_directory_admin)
    seed()


def test_the_check_finds_english_and_ignores_links_codes_and_other_languages():
    html = (
        '<p>您好 Hello <a href="https://x.cn">xingyunka.cn</a> XY-20261122-7K3Q9M a@b.cn 400-612-3456</p>'
        '<input placeholder="Search here"><option lang="en">English</option><code>print</code>'
    )
    assert english_words(html) == {"Hello", "Search", "here"}
