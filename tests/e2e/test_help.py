"""Two frightened users: one is helped by an article from the help centre's search; the other talks to the
assistant, is not helped, and is handed over to a claim form that already holds what they said."""

from __future__ import annotations

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from helpcentre.models import HelpOutcome
from tests.support.auth import totp_device


@pytest.fixture(autouse=True)
def _help_demo(transactional_db, directory_admin, second_directory_admin):
    """live_server tests flush the database between tests, data migrations included: restore them."""
    import importlib

    importlib.import_module("contacts.migrations.0002_problem_types").forward(apps, None)
    totp_device(directory_admin)
    totp_device(second_directory_admin)
    from contacts.demo import seed as seed_directory
    from helpcentre.demo import seed as seed_help

    seed_directory()
    seed_help()


def test_a_user_is_helped_by_an_article(page: Page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(live_server.url + "/help/")
    page.get_by_label("描述您的问题").fill("钱扣了没到账")
    page.keyboard.press("Enter")
    first = page.locator(".help-results li").first
    expect(first).to_contain_text("星云卡盟：钱扣了但充值没到账怎么办")
    first.get_by_role("link").click()
    expect(page.locator(".channel-card").first).to_be_visible()  # official channels, from the directory
    page.get_by_role("button", name="解决了").click()
    expect(page.get_by_text("谢谢反馈。", exact=True)).to_be_visible()
    assert HelpOutcome.objects.filter(kind="solved", source="article").count() == 1


def test_a_user_is_handed_over_with_what_they_said(page: Page, live_server):
    page.goto(live_server.url + "/help/assistant/")
    page.get_by_label("是哪个平台的问题？").select_option(label="星云卡盟")
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("或者用您自己的话说").fill("卡密用不了")
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("订单号").fill("XY20260601001")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_text("星云卡盟：卡密用不了、显示已被使用")).to_be_visible()
    expect(page.locator(".channel-card")).to_be_visible()
    page.get_by_role("button", name="没解决：转人工").click()

    expect(page).to_have_url(live_server.url + "/claims/new/")
    expect(page.get_by_label("订单号")).to_have_value("XY20260601001")
    expect(page.locator("textarea[name=description]")).to_contain_text("卡密用不了")
    assert HelpOutcome.objects.filter(kind="handed_over").count() == 1


def test_the_claim_form_suggests_articles_and_this_solved_it_ends_the_flow(page: Page, live_server):
    page.goto(live_server.url + "/claims/new/")
    page.get_by_label("平台").select_option(label="星云卡盟")
    page.get_by_label("遇到了什么问题").select_option(label="充值未到账")
    page.locator("#id_description").fill("钱扣了没到账，已经等了一个小时")
    suggestions = page.locator("#help-suggestions")
    expect(suggestions).to_contain_text("星云卡盟：钱扣了但充值没到账怎么办")
    suggestions.get_by_role("button", name="问题已解决").first.click()
    expect(page.get_by_role("heading", name="很高兴帮到您")).to_be_visible()
    assert HelpOutcome.objects.filter(kind="solved", source="claim_form").count() == 1
    assert HelpOutcome.objects.filter(kind="shown", source="claim_form").count() == 1
