"""A user pastes a scam SMS on /check/ and reads a verdict for every number and link in it."""

from __future__ import annotations

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


def test_a_pasted_sms_gets_a_verdict_per_item(
    page: Page, live_server, directory_admin, second_directory_admin
):
    totp_device(directory_admin)
    totp_device(second_directory_admin)
    seed()
    sms = (
        "【星云卡盟】尊敬的用户，您的账户存在异常，将于24小时内冻结。请立即致电客服 400-612-3465 转 2，"
        "或访问 http://xingyunka.cn.verify-kf.com/login 办理解冻。官方热线 ４００－６１２－３４５６。退订回T"
    )
    page.goto(live_server.url + "/")  # Chinese by default: the verdicts explain themselves in Chinese
    page.get_by_role("link", name="这个号码是官方的吗？").click()
    page.get_by_label("号码、链接或整条消息").fill(sms)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # keyboard only: Tab to the button, Enter

    cards = page.locator(".verdict-card")
    expect(cards).to_have_count(3)
    expect(cards.nth(0)).to_have_attribute("data-verdict", "lookalike")
    expect(cards.nth(0)).to_contain_text("400-612-3465")
    expect(cards.nth(0)).to_contain_text("两位相邻数字顺序颠倒")
    expect(cards.nth(0)).to_contain_text("分机 2")
    expect(cards.nth(1)).to_have_attribute("data-verdict", "lookalike")
    expect(cards.nth(1)).to_contain_text("verify-kf.com")
    expect(cards.nth(2)).to_have_attribute("data-verdict", "official")
    expect(cards.nth(2)).to_contain_text("星云卡盟")
    expect(page.get_by_label("号码、链接或整条消息")).to_have_value(sms)

    # From a look-alike straight to the report form, the value filled in.
    cards.nth(0).get_by_role("link", name="举报为诈骗").click()
    expect(page.get_by_label("您看到的号码、链接或账号")).to_have_value("400-612-3465")


def test_a_report_is_confirmed_by_an_admin_and_the_checker_says_reported(
    page: Page, browser: Browser, live_server, directory_admin, second_directory_admin
):
    totp_device(directory_admin)
    totp_device(second_directory_admin)
    seed()
    base = live_server.url
    page.set_viewport_size({"width": 375, "height": 740})  # a phone
    page.goto(f"{base}/check/report/?value=400-612-3465&platform=xingyun")
    page.get_by_label("在哪里看到的？").select_option("search_ad")
    page.get_by_label("短信验证码").check()
    page.get_by_label("安装远程控制或屏幕共享软件").check()
    page.get_by_role("button", name="提交举报").click()
    expect(page.get_by_text("谢谢！您的举报能帮助其他人避开这个骗局。")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px phone"

    admin = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    sign_in(admin, base, directory_admin)
    admin.goto(f"{base}/directory/reports/")
    admin.get_by_role("link", name="400-612-3465").click()
    admin.get_by_label("确认：是假冒的").check()
    admin.get_by_role("button", name="保存处理决定").click()
    expect(admin.get_by_text("没有处于此状态的被举报对象。")).to_be_visible()

    page.goto(f"{base}/check/?q=400-612-3465")
    expect(page.locator(".verdict-card")).to_have_attribute("data-verdict", "reported")
    page.goto(f"{base}/platforms/xingyun/")
    expect(page.get_by_role("region", name="冒充星云卡盟的已知假冒号码和网址")).to_contain_text(
        "400-612-3465"
    )


def test_the_owner_of_a_reported_number_appeals_and_an_admin_lifts_the_reports(
    page: Page, browser: Browser, live_server, directory_admin, second_directory_admin
):
    from contacts import services
    from contacts.models import Platform

    totp_device(directory_admin)
    totp_device(second_directory_admin)
    seed()
    base = live_server.url
    xingyun = Platform.objects.get(slug="xingyun")
    for n in range(3):  # three people on three networks
        services.scam_report_submit(
            data=services.ReportInput(value="13800138000", found_where="sms", platform=xingyun),
            reporter=services.reporter_hash(user_id=None, address=f"198.51.{n}.7"),
        )
    page.set_viewport_size({"width": 390, "height": 800})  # a phone
    page.goto(f"{base}/check/?q=13800138000")
    card = page.locator(".verdict-card")
    expect(card).to_have_attribute("data-verdict", "reported")
    expect(card).to_contain_text("3 位不同的用户")
    card.get_by_role("link", name="这是您的号码或地址？提出申诉").click()
    expect(page.get_by_label("被举报的号码、链接或账号")).to_have_value("13800138000")
    page.get_by_label("您是谁？").select_option("owner")
    page.get_by_label("您的姓名或机构").fill("王先生")
    page.get_by_label("我们如何联系您？").fill("13912345678")
    page.get_by_label("举报为何有误？").fill("这是我本人用了十年的手机号。")
    page.get_by_role("button", name="提交申诉").click()
    expect(page.get_by_text("目录管理员会查看这些举报和您的说明")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"

    admin = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    sign_in(admin, base, directory_admin)
    admin.goto(f"{base}/directory/appeals/")
    admin.get_by_role("link", name="13800138000").click()
    expect(admin.get_by_text("13912345678")).to_be_visible()
    admin.get_by_label("撤销举报").check()
    admin.get_by_label("备注").fill("已电话核实为本人")
    admin.get_by_role("button", name="保存处理决定").click()
    expect(admin.get_by_text("没有此状态的申诉。")).to_be_visible()

    page.goto(f"{base}/check/?q=13800138000")
    expect(page.locator(".verdict-card")).to_have_attribute("data-verdict", "unknown")
