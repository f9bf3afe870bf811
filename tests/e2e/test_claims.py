from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from helpdesk.outbox import relay
from tests.e2e.helpers import sign_in
from tests.factories import claim_platform
from tests.support.tickets import ensure_problem_types, png_bytes
from tickets.models import Claim, Evidence


def test_a_customer_files_a_claim_with_a_screenshot_on_a_phone(page: Page, live_server, customer):
    ensure_problem_types()  # live-server tests flush the data migration's rows between tests
    claim_platform()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, customer)
    page.get_by_text("菜单").click()  # on a phone the header links sit in a menu
    page.get_by_role("link", name="我的索赔").click()
    page.get_by_role("link", name="提交索赔").click()
    page.wait_for_url("**/claims/new/")

    page.get_by_label("平台").select_option(label="星云卡盟")
    page.get_by_label("遇到了什么问题").select_option(label="充值未到账")
    expect(page.get_by_text("请附上支付记录（转账凭证）和订单页面截图。")).to_be_visible()
    page.locator("#id_order_number").fill("20261201001")
    page.locator("#id_product").fill("100元游戏点卡")
    page.locator("#id_amount").fill("100")
    page.locator("#id_payment_channel").select_option("alipay")
    paid = timezone.localtime() - timedelta(hours=1)
    page.locator("#id_paid_at").fill(paid.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_description").fill(
        "今天上午购买100元游戏点卡，已付款，30分钟后仍未到账，订单显示“处理中”，刷新了3次。"
    )
    page.get_by_label("补发商品").check()
    page.locator("#id_evidence").set_input_files(
        files=[{"name": "订单截图.png", "mimeType": "image/png", "buffer": png_bytes(size=(390, 800))}]
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the claim form is {width}px wide on a 390px phone"
    page.get_by_role("button", name="提交索赔").click()

    page.wait_for_url(re.compile(r".*/claims/XY-\d{8}-[0-9A-Z]{6}/$"))
    claim = Claim.objects.get(customer=customer)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"索赔 {claim.reference}")
    expect(page.get_by_text(f"您的索赔 {claim.reference} 已提交。")).to_be_visible()
    expect(page.get_by_test_id("claim-status")).to_have_text("新提交")
    # The screenshot is listed at once and opens once the worker has rebuilt it from pixels.
    expect(page.locator(".evidence-list")).to_contain_text("订单截图.png")
    relay()
    page.reload()
    expect(page.get_by_role("link", name="订单截图.png")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("已提交索赔")
    assert Evidence.objects.get(claim=claim).content_type == "image/png"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the claim page is {width}px wide on a 390px phone"

    # And it is on the list of the customer's claims.
    page.get_by_role("link", name="我的全部索赔").click()
    expect(page.get_by_role("link", name=claim.reference)).to_be_visible()


def test_a_guest_files_a_claim_confirming_the_new_account_by_the_emailed_link(page: Page, live_server, db):
    from urllib.parse import urlsplit

    from django.core import mail

    ensure_problem_types()
    claim_platform()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/claims/new/")
    page.get_by_label("平台").select_option(label="星云卡盟")
    page.get_by_label("遇到了什么问题").select_option(label="充值未到账")
    page.locator("#id_order_number").fill("20261201002")
    page.locator("#id_product").fill("100元游戏点卡")
    page.locator("#id_amount").fill("100")
    page.locator("#id_payment_channel").select_option("alipay")
    paid = timezone.localtime() - timedelta(hours=1)
    page.locator("#id_paid_at").fill(paid.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_description").fill("今天上午购买100元游戏点卡，已付款，30分钟后仍未到账。")
    page.get_by_label("补发商品").check()
    page.get_by_role("button", name="继续").click()

    page.wait_for_url("**/claims/new/account/")
    page.locator("#id_email").fill("guest.e2e@example.com")
    page.locator("#id_password1").fill("a-long-passphrase-42")
    page.locator("#id_password2").fill("a-long-passphrase-42")
    page.get_by_role("button", name="创建账号并提交索赔").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("请查收邮件")
    assert not Claim.objects.exists()

    # The live server runs in this process: the relay sends the confirmation into Django's test outbox.
    while relay():
        pass
    (message,) = mail.outbox
    link = urlsplit(re.search(r"https?://\S*/accounts/activate/\S+", message.body).group(0))
    page.goto(f"{live_server.url}{link.path}?{link.query}")
    page.get_by_role("button", name="确认我的账户").click()  # a mail scanner's GET activates nothing

    page.wait_for_url(re.compile(r".*/claims/XY-\d{8}-[0-9A-Z]{6}/$"))
    claim = Claim.objects.get()
    assert claim.customer.email == "guest.e2e@example.com" and claim.customer.is_active
    expect(page.get_by_role("heading", level=1)).to_have_text(f"索赔 {claim.reference}")


def test_the_form_adapts_to_the_problem_type_and_shows_the_platforms_rule(page: Page, live_server, db):
    from contacts.models import ProblemType
    from tickets.models import PlatformClaimPolicy

    ensure_problem_types()
    platform = claim_platform()
    PlatformClaimPolicy.objects.create(
        platform=platform,
        problem_type=ProblemType.objects.get(slug="topup-not-credited"),
        report_within=timedelta(hours=24),
        rule_zh="充值失败须在24小时内报告",
        rule_en="Failed top-ups must be reported within 24 hours",
    )
    page.goto(f"{live_server.url}/claims/new/")  # a guest may start a claim
    rule = page.get_by_text("充值失败须在24小时内报告")
    access_lost = page.locator("#id_access_lost_at")
    page.get_by_label("平台").select_option(label="星云卡盟")
    page.get_by_label("遇到了什么问题").select_option(label="充值未到账")
    expect(rule).to_be_visible()
    expect(access_lost).to_be_hidden()
    page.get_by_label("遇到了什么问题").select_option(label="账号被盗")
    expect(rule).to_be_hidden()
    expect(access_lost).to_be_visible()
    expect(page.get_by_text("请附上您注意到的登录提醒或设置被更改的截图。")).to_be_visible()
    # Keyboard: the problem type select and the next field are reachable with Tab.
    page.get_by_label("遇到了什么问题").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_order_number"
