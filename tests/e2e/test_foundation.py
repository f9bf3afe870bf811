from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in
from tests.factories import PASSWORD
from tests.support.auth import current_code


@pytest.mark.parametrize("role", ["customer", "agent", "supervisor", "directory_admin"])
def test_each_role_signs_in_through_the_browser(role, request, page: Page, live_server):
    user = request.getfixturevalue(role)
    sign_in(page, live_server.url, user)
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    if user.is_staff_role:
        expect(page.locator(".role-badge")).to_have_text(user.get_role_display())


def test_staff_enrol_their_authenticator_on_first_sign_in(page: Page, live_server, agent):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("邮箱").fill(agent.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/accounts/2fa/setup/")
    expect(page.get_by_role("img", name="身份验证器 App 的二维码")).to_be_visible()
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    page.get_by_label("身份验证器 App 中的 6 位动态码").fill(current_code(device))
    page.get_by_role("button", name="开启").click()
    page.wait_for_url(f"{live_server.url}/agent/queue/")  # staff land on their work (helpdesk.views.landing)
    expect(page.get_by_text("双重验证已开启。")).to_be_visible()


def test_the_language_switch_works_with_the_keyboard(page: Page, live_server, db):
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("查找卡盟平台的官方客服")
    page.get_by_label("语言").select_option("en")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find the official support of a card platform")
    # It sticks across pages.
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_the_home_page_fits_a_phone(page: Page, live_server, db):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px phone"
