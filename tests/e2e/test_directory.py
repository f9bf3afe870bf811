"""Two directory admins publish a channel through the browser; the public finds it on the platform page."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from playwright.sync_api import Browser, Page, expect

from contacts.demo import seed
from tests.e2e.helpers import sign_in
from tests.support.auth import totp_device


@pytest.fixture(autouse=True)
def _standard_problem_types(transactional_db):
    """live_server tests flush the database between tests, data migrations included: restore them."""
    import importlib

    importlib.import_module("contacts.migrations.0002_problem_types").forward(apps, None)


def test_two_admins_publish_a_channel_and_the_public_sees_it(
    page: Page, browser: Browser, live_server, directory_admin, second_directory_admin
):
    totp_device(directory_admin)
    totp_device(second_directory_admin)
    seed()  # the demo directory, published by the two persona admins
    base = live_server.url

    sign_in(page, base, directory_admin)
    page.get_by_role("link", name="目录管理员").first.click()
    page.get_by_role("link", name="蓝鲸卡盟").click()
    page.get_by_role("link", name="提议新渠道").click()
    page.get_by_label("类型").select_option("emergency_line")
    page.get_by_label("号码或地址").fill("95105-777")
    page.get_by_label("账号被盗").check()
    page.get_by_label(re.compile(r"^服务时间")).select_option("always")
    page.get_by_label("如何核实的？").select_option("letter")
    page.get_by_label("证据说明了什么？").fill("平台盖章函件，列明紧急热线 95105-777")
    page.get_by_role("button", name="提交审批").click()
    expect(page.get_by_text("这是您提出的变更，需要另一位目录管理员批准。")).to_be_visible()
    expect(page.get_by_role("button", name="批准并发布")).to_have_count(0)
    proposal_url = page.url

    second = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    reviewer = second.new_page()
    sign_in(reviewer, base, second_directory_admin)
    reviewer.goto(proposal_url)
    expect(reviewer.get_by_role("cell", name="CN:95105777")).to_be_visible()
    reviewer.get_by_role("button", name="批准并发布").click()
    reviewer.wait_for_url("**/confirm/**")
    expect(reviewer.get_by_role("cell", name="CN:95105777")).to_be_visible()
    reviewer.get_by_role("button", name="确认发布").click()
    expect(reviewer.get_by_text("已批准并发布。")).to_be_visible()
    second.close()

    public = browser.new_page()
    public.goto(f"{base}/platforms/lanjing/")
    section = public.get_by_role("region", name="紧急热线")
    expect(section.get_by_role("link", name="95105-777")).to_be_visible()
    expect(section.get_by_text("已核实")).to_be_visible()
    public.close()


def test_the_problem_flow_works_with_the_keyboard_on_a_phone(
    page: Page, live_server, directory_admin, second_directory_admin
):
    totp_device(directory_admin)
    totp_device(second_directory_admin)
    seed()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/")
    page.get_by_label("平台", exact=True).select_option("xingyun")
    page.get_by_label("问题", exact=True).select_option("account-stolen")
    page.get_by_label("紧急：资金或账号正面临风险").check()
    page.get_by_role("button", name="告诉我该联系谁").press("Enter")
    recommended = page.locator("li.recommended")
    expect(recommended).to_contain_text("95105-888")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px phone"
