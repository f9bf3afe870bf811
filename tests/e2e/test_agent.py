from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import sign_in
from tests.factories import ClaimFactory, MacroFactory, TeamFactory, join_team
from tests.support.tickets import ensure_problem_types
from tickets.models import Claim, ClaimStatus, Tag


def test_an_agent_takes_the_next_claim_replies_with_a_macro_and_the_customer_sees_it(
    page: Page, browser: Browser, live_server, agent, customer
):
    ensure_problem_types()  # live-server tests flush the data migration's rows between tests
    team = TeamFactory(slug="e2e-topups", name="充值组")
    join_team(agent, team)
    ClaimFactory(team=team, customer=customer, priority=3)
    urgent = ClaimFactory(team=team, customer=customer, priority=1, urgency_score=600)
    macro = MacroFactory(name="核实中", set_status=ClaimStatus.WAITING_ON_PLATFORM)
    macro.tags.add(Tag.objects.create(name="平台核实"))

    sign_in(page, live_server.url, agent)
    page.get_by_role("link", name="索赔队列").click()
    page.wait_for_url("**/agent/queue/")
    expect(page.locator("#queue-rows tr").first).to_contain_text(urgent.reference)
    page.get_by_role("button", name="领取下一个索赔").click()
    page.wait_for_url(f"**/agent/tickets/{urgent.reference}/")
    expect(page.get_by_text(f"索赔 {urgent.reference} 现在由您处理。")).to_be_visible()
    expect(page.get_by_test_id("claim-assignee")).to_have_text(agent.public_name)

    page.get_by_label("快捷回复").select_option(label="核实中 → 等待平台处理")
    expect(page.locator("#id_body")).to_have_value(macro.body)
    page.get_by_role("button", name="发送回复").click()
    expect(page.get_by_text("回复已发送。")).to_be_visible()
    expect(page.get_by_test_id("claim-status")).to_have_text("等待平台处理")
    urgent.refresh_from_db()
    assert urgent.status == ClaimStatus.WAITING_ON_PLATFORM
    assert list(urgent.tags.values_list("name", flat=True)) == ["平台核实"]

    # The customer, in their own browser session, sees the reply on the claim page.
    customer_page = browser.new_context(locale="en-US", timezone_id="Asia/Shanghai").new_page()
    sign_in(customer_page, live_server.url, customer)
    customer_page.goto(f"{live_server.url}/claims/{urgent.reference}/")
    expect(customer_page.locator(".timeline")).to_contain_text(macro.body)
    expect(customer_page.locator(".timeline")).to_contain_text(agent.staff_number)
    assert Claim.objects.get(pk=urgent.pk).assignee == agent


def test_the_queue_works_on_a_phone_with_a_keyboard(page: Page, live_server, agent):
    ensure_problem_types()
    team = TeamFactory(slug="e2e-phone", name="手机组")
    join_team(agent, team)
    claim = ClaimFactory(team=team)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, agent)
    page.goto(f"{live_server.url}/agent/queue/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the queue is {width}px wide on a 390px phone"
    page.get_by_role("link", name=claim.reference).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/agent/tickets/{claim.reference}/$"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the workspace is {width}px wide on a 390px phone"
