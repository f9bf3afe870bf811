"""Issue 14, the public side in a browser: the checker's overall verdict is on a phone's first screen with
focus, the claim form's error summary takes focus, promises read right, no console errors; at 390 px and
1366 px, in Chinese and English. With SCREENSHOT_DIR set, each page is also saved there to be looked at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from contacts.demo import seed
from tests.e2e.helpers import sign_in
from tests.factories import ClaimFactory, problem_type
from tests.support.auth import totp_device

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SMS = "【星云卡盟】您的账户存在风险，请将收到的短信验证码告诉客服，客服热线 400-612-3465"


@pytest.fixture(autouse=True)
def _standard_problem_types(transactional_db):
    import importlib

    importlib.import_module("contacts.migrations.0002_problem_types").forward(apps, None)


@pytest.fixture
def directory(directory_admin, second_directory_admin) -> None:
    totp_device(directory_admin)
    totp_device(second_directory_admin)
    seed()


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """Every console error or uncaught exception on the page fails the test."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # A form sent back with its errors answers 400 by design (the page itself, not a resource).
        page_itself = message.location.get("url", "").endswith("/claims/new/") and "400" in message.text
        if message.type == "error" and not page_itself:
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield errors
    assert errors == []


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def use_language(page: Page, base: str, language: str) -> None:
    page.context.add_cookies([{"name": "claimdesk_language", "value": language, "url": base}])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_checker_verdict_is_on_a_phones_first_screen_with_focus(
    page: Page, live_server, directory, console_errors, language
):
    page.set_viewport_size(PHONE)
    use_language(page, live_server.url, language)
    page.goto(live_server.url + "/check/")
    page.locator("textarea[name=q], input[name=q]").first.fill(SMS)
    page.locator("form.check-form button[type=submit]").click()
    banner = page.locator("#check-verdict")
    expect(banner).to_have_attribute("data-overall", "danger")
    expect(banner).to_be_focused()
    expect(banner).to_contain_text("96110")
    box = banner.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]  # on the first screen
    shot(page, f"check-danger-390-{language}")
    page.set_viewport_size(DESKTOP)
    expect(page.locator(".main-nav")).to_be_visible()  # growing past phone width opens the menu
    shot(page, f"check-danger-1366-{language}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_claim_forms_error_summary_takes_focus(
    page: Page, live_server, customer, directory, console_errors, language
):
    sign_in(page, live_server.url, customer)
    use_language(page, live_server.url, language)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/claims/new/")
    shot(page, f"claim-form-390-{language}")
    page.locator("#claim-form button[type=submit]").click()
    summary = page.locator("[data-testid=error-summary]")
    expect(summary).to_be_focused()
    expect(summary.locator("a").first).to_be_visible()
    summary.locator("a[href='#id_description']").click()
    expect(page.locator("#id_description")).to_be_focused()  # the link takes you to the field
    shot(page, f"claim-form-errors-390-{language}")
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/claims/new/")
    shot(page, f"claim-form-1366-{language}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_claim_page_shows_promises_and_the_phone_menu(
    page: Page, live_server, customer, directory, console_errors, language
):
    from contacts.models import Platform

    claim = ClaimFactory(
        customer=customer,
        platform=Platform.objects.get(slug="xingyun"),
        problem_type=problem_type(),
        amount=Decimal("800.00"),
        is_high_value=True,
        contact_phone="",
        first_response_due_at=timezone.now() - timedelta(minutes=5),
        resolution_due_at=timezone.now() + timedelta(hours=20),
    )
    sign_in(page, live_server.url, customer)
    use_language(page, live_server.url, language)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/claims/{claim.reference}/")
    expect(page.locator("[data-testid=promise-first_response]")).to_have_attribute("data-state", "late")
    menu = page.locator("[data-nav-menu]")
    expect(menu).not_to_have_attribute("open", "")  # folded on a phone
    shot(page, f"claim-detail-390-{language}")
    page.locator(".nav-menu-toggle").click()
    expect(page.locator(".main-nav")).to_be_visible()
    shot(page, f"menu-open-390-{language}")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/claims/{claim.reference}/")
    expect(page.locator(".main-nav")).to_be_visible()
    shot(page, f"claim-detail-1366-{language}")
    page.goto(f"{live_server.url}/?q=xinyun")
    shot(page, f"home-typo-1366-{language}")
