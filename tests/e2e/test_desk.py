"""The agent desk in a browser: the workspace at 390 and 1366 px without sideways scrolling, a shortcut,
the queue's first claim on a phone's first screen, live timeline updates; console errors fail the test.

Set DESK_SCREENSHOTS=/some/dir to keep screenshots of each page at both widths."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in
from tests.factories import ClaimEventFactory, ClaimFactory, TeamFactory, join_team
from tests.support.tickets import ensure_problem_types
from tickets.models import Callback

SHOTS = os.environ.get("DESK_SCREENSHOTS", "")
LONG_URL = "https://pay.example.com/" + "a1b2c3d4e5" * 20 + "?order=" + "9" * 60


@pytest.fixture
def console_errors(page: Page):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield errors
    assert errors == [], errors


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def no_sideways_scroll(page: Page) -> None:
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{width}px wide in a {inner}px window"


@pytest.fixture
def desk(agent):
    ensure_problem_types()
    team = TeamFactory(slug="e2e-desk", name="充值组")
    join_team(agent, team)
    now = timezone.now()
    for i in range(8):
        ClaimFactory(team=team, priority=2 + i % 3, first_response_due_at=now + timedelta(hours=2 + i))
    claim = ClaimFactory(
        team=team,
        priority=1,
        urgency_score=600,
        description=f"付款后没有到账，付款页面 {LONG_URL}",
        first_response_due_at=now - timedelta(minutes=12),
        first_response_warn_at=now - timedelta(minutes=40),
    )
    ClaimEventFactory(claim=claim, kind="customer_reply", body=f"截图在这里 {LONG_URL}")
    Callback.objects.create(
        claim=claim,
        phone="+8613912345678",
        reason="high_value",
        due_at=now + timedelta(minutes=8),
        code="4821",
    )
    return claim


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_workspace_fits_and_its_shortcuts_work(
    page: Page, live_server, agent, desk, console_errors, width, language
):
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
    sign_in(page, live_server.url, agent)
    if language == "en":
        page.context.add_cookies([{"name": "claimdesk_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/agent/queue/")
    expect(page.locator("#queue-rows tr").first).to_contain_text(desk.reference)
    first = page.locator("#queue-rows tr").first.bounding_box()
    assert first is not None and first["y"] + 40 <= page.viewport_size["height"], first
    no_sideways_scroll(page)
    shot(page, f"queue-{language}-{width}")

    page.keyboard.press("j")
    expect(page.locator("#queue-rows tr.is-current")).to_have_attribute("data-reference", desk.reference)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/agent/tickets/{desk.reference}/$"))
    no_sideways_scroll(page)
    expect(page.get_by_test_id("callback-panel")).to_contain_text("4821")
    shot(page, f"workspace-{language}-{width}")

    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_be_visible()
    shot(page, f"shortcuts-{language}-{width}")
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    expect(page.locator("#id_body")).to_be_focused()
    page.keyboard.type("a")  # typing in the field never fires a shortcut ("a" = assign to me)
    expect(page.locator("#id_body")).to_have_value("a")
    page.locator("#id_body").blur()
    page.keyboard.press("a")
    page.wait_for_load_state()
    expect(page.get_by_test_id("claim-assignee")).to_have_text(agent.public_name)


def test_a_customer_message_shows_in_the_workspace_without_a_reload(
    page: Page, live_server, agent, desk, console_errors
):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server.url, agent)
    page.goto(f"{live_server.url}/agent/tickets/{desk.reference}/")
    ClaimEventFactory(claim=desk, kind="customer_reply", body="我又付了一次，还是没到")
    expect(page.get_by_test_id("timeline")).to_contain_text("我又付了一次，还是没到", timeout=20_000)
    composer = page.locator(".composer").bounding_box()
    assert composer is not None and composer["y"] + composer["height"] <= 900 + 1, composer


@pytest.mark.parametrize("width", [390, 1366])
def test_supervisor_charts_fit_and_click_through(
    page: Page, live_server, supervisor, desk, console_errors, width
):
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
    sign_in(page, live_server.url, supervisor)
    page.goto(f"{live_server.url}/agent/supervisor/")
    no_sideways_scroll(page)
    shot(page, f"supervisor-zh-hans-{width}")
    page.locator("svg.bar-chart a[href*='view=breached']").first.click()
    page.wait_for_url(re.compile(r".*/agent/queue/\?view=breached.*"))
    expect(page.locator("#queue-rows tr[data-reference]")).to_have_count(1)
    expect(page.get_by_test_id("view-breached")).to_have_attribute("aria-current", "page")
    page.goto(f"{live_server.url}/agent/supervisor/canned-replies/")
    no_sideways_scroll(page)
    shot(page, f"macros-zh-hans-{width}")
    page.goto(f"{live_server.url}/agent/supervisor/sla-policies/")
    no_sideways_scroll(page)
    shot(page, f"sla-policies-zh-hans-{width}")
