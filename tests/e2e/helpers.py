from __future__ import annotations

import re

from playwright.sync_api import Page

from helpdesk.models import User
from tests.factories import PASSWORD
from tests.support.auth import current_code, totp_device


def sign_in(page: Page, base_url: str, user: User, password: str = PASSWORD) -> None:
    """Sign in through the real forms, passing TOTP for staff as a person would."""
    device = totp_device(user) if user.is_staff_role else None
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("邮箱").fill(user.email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    if device is not None:
        page.wait_for_url(re.compile(r".*/accounts/2fa/(\?.*)?$"))
        page.get_by_label("身份验证器 App 中的 6 位动态码").fill(current_code(device))
        page.get_by_role("button", name="验证").click()
    # Staff land on their work, customers on their claims (helpdesk.views.landing) or the page they asked for.
    page.wait_for_url(lambda url: "/accounts/" not in url)
