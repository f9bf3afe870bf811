from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpdesk import outbox
from helpdesk.models import User
from tests.factories import PASSWORD, ClaimEventFactory, ClaimFactory, problem_type
from tests.support.tickets import form_data, png_file
from tickets.claims import services
from tickets.claims.services import ClaimInput
from tickets.models import Claim, ClaimEvent, ClaimStatus, Evidence, PlatformClaimPolicy


def test_a_customer_files_a_claim_and_lands_on_its_page(login_as, customer, platform):
    client = login_as(customer)
    response = client.post("/claims/new/", {**form_data(platform), "evidence": [png_file()]})
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/claims/{claim.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert claim.reference in page and "screenshot.png" in page and "已提交" in page


def test_the_form_shows_clear_messages_and_keeps_what_was_typed(login_as, customer, platform):
    client = login_as(customer)
    data = form_data(platform, amount="一百", order_number="订单!", description="太短")
    response = client.post("/claims/new/", {**data, "evidence": [png_file("kept.png")]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请以数字输入金额" in page
    assert "请只使用字母" in page
    assert "至少 20 个字" in page
    assert "100元游戏点卡" in page  # what was typed is still there
    assert "kept.png" in page  # and the accepted file is kept for the next try
    fixed = client.post("/claims/new/", form_data(platform, form_token=""))
    assert fixed.status_code == 302
    assert Evidence.objects.get().original_name == "kept.png"


def test_field_messages_in_english(login_as, customer, platform):
    client = login_as(customer)
    client.cookies["claimdesk_language"] = "en"
    response = client.post("/claims/new/", form_data(platform, amount="abc", paid_at="2999-01-01T10:00"))
    page = response.content.decode()
    assert "Enter the amount as a number" in page
    assert "The payment time cannot be in the future." in page


def test_phone_contact_needs_a_phone_number(login_as, customer, platform):
    response = login_as(customer).post("/claims/new/", form_data(platform, preferred_contact="phone"))
    assert response.status_code == 400
    assert "请填写电话号码" in response.content.decode()


def test_account_theft_asks_when_access_was_lost(login_as, customer, platform):
    data = form_data(platform, problem_type=str(problem_type("account-stolen").pk))
    response = login_as(customer).post("/claims/new/", data)
    assert response.status_code == 400
    assert "什么时候失去了账号" in response.content.decode()


def test_the_platform_rule_is_shown_on_the_form(client, platform):
    PlatformClaimPolicy.objects.create(
        platform=platform,
        problem_type=problem_type(),
        report_within=timedelta(hours=24),
        rule_zh="充值失败须在24小时内报告",
        rule_en="Failed top-ups must be reported within 24 hours",
    )
    assert "充值失败须在24小时内报告" in client.get("/claims/new/").content.decode()


def test_double_submission_files_one_claim(login_as, customer, platform):
    client = login_as(customer)
    page = client.get("/claims/new/").content.decode()
    token = page.split('name="form_token" value="')[1].split('"')[0]
    first = client.post("/claims/new/", form_data(platform, form_token=token))
    second = client.post("/claims/new/", form_data(platform, form_token=token))
    assert Claim.objects.count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]


def test_an_open_claim_for_the_same_order_leads_to_it(login_as, customer, platform):
    client = login_as(customer)
    client.post("/claims/new/", form_data(platform))
    again = client.post("/claims/new/", {**form_data(platform), "evidence": [png_file("more.png")]})
    claim = Claim.objects.get()
    assert again["Location"] == f"/claims/{claim.reference}/"
    assert Evidence.objects.get().claim == claim  # the new file went to the existing claim
    assert "已有一个处理中的索赔" in client.get(again["Location"]).content.decode()


def test_a_guest_fills_the_form_then_creates_the_account_without_retyping(client, platform):
    response = client.post("/claims/new/", {**form_data(platform), "evidence": [png_file("guest.png")]})
    assert response.status_code == 302 and response["Location"] == "/claims/new/account/"
    assert Claim.objects.count() == 0
    response = client.post(
        "/claims/new/account/",
        {"email": "guest@example.com", "password1": PASSWORD, "password2": PASSWORD, "phone": ""},
    )
    assert response.status_code == 200 and Claim.objects.count() == 0  # "check your e-mail"
    while outbox.relay():
        pass
    link = urlsplit(re.search(r"https?://\S*/accounts/activate/\S+", mail.outbox[0].body).group(0))
    assert parse_qs(link.query)["next"] == ["/claims/new/finish/"]
    shown = client.get(f"{link.path}?{link.query}")
    response = client.post(link.path, {"next": shown.context["next"]}, follow=False)
    assert response["Location"] == "/claims/new/finish/"
    response = client.get(response["Location"])
    claim = Claim.objects.get()
    assert claim.customer.email == "guest@example.com"
    assert response["Location"] == f"/claims/{claim.reference}/"
    assert Evidence.objects.get(claim=claim).original_name == "guest.png"


def test_a_guest_who_confirms_in_another_browser_is_signed_in_and_lands_on_the_claim_form(client, platform):
    client.post("/claims/new/", form_data(platform))
    client.post(
        "/claims/new/account/",
        {"email": "guest@example.com", "password1": PASSWORD, "password2": PASSWORD, "phone": ""},
    )
    while outbox.relay():
        pass
    link = urlsplit(re.search(r"https?://\S*/accounts/activate/\S+", mail.outbox[0].body).group(0))
    other = Client()
    response = other.post(link.path, {"next": "/claims/new/finish/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/claims/new/" and Claim.objects.count() == 0
    assert response.context["user"].email == "guest@example.com"


def test_a_guest_whose_address_has_an_account_is_sent_a_sign_in_link_back_to_the_draft(
    client, customer, platform
):
    client.post("/claims/new/", form_data(platform))
    response = client.post(
        "/claims/new/account/",
        {"email": customer.email.upper(), "password1": PASSWORD, "password2": PASSWORD, "phone": ""},
    )
    while outbox.relay():
        pass
    assert response.status_code == 200 and Claim.objects.count() == 0  # nobody is told the address exists
    assert "next=%2Fclaims%2Fnew%2Ffinish%2F" in mail.outbox[0].body
    client.post("/accounts/login/", {"username": customer.email, "password": PASSWORD})
    assert client.get("/claims/new/finish/").status_code == 302 and Claim.objects.get().customer == customer


def test_a_guest_with_an_account_signs_in_and_the_claim_is_filed(client, customer, platform):
    client.post("/claims/new/", form_data(platform))
    client.post("/accounts/login/", {"username": customer.email, "password": PASSWORD})
    response = client.get("/claims/new/finish/")
    claim = Claim.objects.get()
    assert claim.customer == customer and response["Location"] == f"/claims/{claim.reference}/"


def test_masking_is_explained(login_as, customer, platform):
    client = login_as(customer)
    data = form_data(
        platform, description="充值100元没到账，客服让我发验证码 123456，我的卡号 4111 1111 1111 1111"
    )
    response = client.post("/claims/new/", data, follow=True)
    page = response.content.decode()
    assert "123456" not in page and "4111 1111 1111 1111" not in page
    assert "客服绝不会需要您的密码或短信验证码" in page


def test_staff_do_not_file_customer_claims(login_as, agent):
    assert login_as(agent).get("/claims/new/").status_code == 403


# --- Access matrix ---------------------------------------------------------------------------------------
def _claim_with_evidence(customer, platform):
    from helpdesk.uploads import clean_upload

    return services.claim_create(
        customer=customer,
        data=ClaimInput(
            platform=platform,
            problem_type=problem_type(),
            order_number="X1",
            product="p",
            amount=1,
            payment_channel="alipay",
            paid_at=timezone.now(),
            description="d" * 30,
            desired_outcome="refund",
        ),
        evidence=[clean_upload(png_file())],
    )


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("get", "export/"),
        ("get", "evidence/{evidence}/"),
        ("post", "reply/"),
        ("post", "evidence/"),
        ("post", "withdraw/"),
        ("post", "confirm/"),
        ("post", "reopen/"),
        ("post", "rate/"),
    ],
)
def test_another_customers_claim_is_404_everywhere(
    method, suffix, login_as, customer, other_customer, platform
):
    claim = _claim_with_evidence(customer, platform)
    evidence = Evidence.objects.get(claim=claim)
    url = f"/claims/{claim.reference}/" + suffix.format(evidence=evidence.pk)
    client = login_as(other_customer)
    data = {"body": "hi", "reason": "x", "rating": "5"}
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    assert response.status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEW


def test_guests_are_sent_to_sign_in(client, customer, platform):
    claim = ClaimFactory(customer=customer, platform=platform)
    for url in ("/claims/", f"/claims/{claim.reference}/"):
        assert client.get(url)["Location"].startswith("/accounts/login/")


def test_the_list_shows_only_my_claims(login_as, customer, other_customer, platform):
    mine = ClaimFactory(customer=customer, platform=platform)
    theirs = ClaimFactory(customer=other_customer, platform=platform)
    page = login_as(customer).get("/claims/").content.decode()
    assert mine.reference in page and theirs.reference not in page


# --- Query budgets ---------------------------------------------------------------------------------------
def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_claim_list_uses_a_constant_number_of_queries(login_as, customer, platform):
    client = login_as(customer)
    ClaimFactory(customer=customer, platform=platform)
    few = _queries(client, "/claims/")
    ClaimFactory.create_batch(30, customer=customer, platform=platform)
    assert _queries(client, "/claims/") == few
    assert few <= 4


def test_the_claim_page_uses_a_constant_number_of_queries(login_as, customer, platform):
    client = login_as(customer)
    claim = ClaimFactory(customer=customer, platform=platform)
    few = _queries(client, f"/claims/{claim.reference}/")
    ClaimEventFactory.create_batch(40, claim=claim)
    for i in range(5):
        Evidence.objects.create(
            claim=claim,
            storage_name=f"e/{i}",
            sha256=f"{i}",
            content_type="image/png",
            size=1,
            original_name=f"{i}.png",
        )
    assert _queries(client, f"/claims/{claim.reference}/") == few
    assert few <= 7


@pytest.fixture
def reference_data_cached(settings):
    """Platforms, problem types, claim rules and routing kept per process, as in production."""
    from tickets import reference_data

    settings.CLAIM_REFERENCE_DATA_TTL = 60
    reference_data.forget()
    yield
    reference_data.forget()


# Signed-in session (session, user), the form's filing rate, triage's reads (the customer's run of
# failures; the platform's facts and outreach about the order), then one transaction: the claim, its SLA
# check, its timeline entries, the audit entry and the outbox row.
FORM_FILING_QUERIES = [
    "session",
    "user",
    "rate",
    "failures",
    "order facts",
    *["begin", *["insert"] * 5, "commit"],
]


def test_filing_through_the_form_takes_a_fixed_number_of_queries(
    login_as, customer, platform, reference_data_cached
):
    client = login_as(customer)
    assert client.post("/claims/new/", form_data(platform, order_number="QB00")).status_code == 302  # warm
    ClaimFactory.create_batch(5, customer=customer, platform=platform)
    data = form_data(platform, order_number="QB01")
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/claims/new/", data)
    assert response.status_code == 302 and response["Location"].startswith("/claims/")
    assert len(ctx.captured_queries) == len(FORM_FILING_QUERIES), [
        q["sql"][:80] for q in ctx.captured_queries
    ]


def test_the_form_refuses_a_closed_platform_also_from_the_cache(
    login_as, customer, platform, reference_data_cached
):
    from contacts.models import PlatformStatus
    from tickets import reference_data

    client = login_as(customer)
    platform.status = PlatformStatus.CLOSED
    platform.save(update_fields=["status"])
    reference_data.forget()
    for value in (str(platform.pk), "999999", "x", "1.5", str(10**30)):
        response = client.post("/claims/new/", {**form_data(platform), "platform": value})
        assert response.status_code == 400, value
        assert "platform" in response.context["form"].errors
    assert not Claim.objects.exists()


def test_internal_notes_never_reach_the_customer(login_as, customer, platform, agent):
    claim = ClaimFactory(customer=customer, platform=platform)
    ClaimEvent.objects.create(claim=claim, kind="internal_note", is_internal=True, body="客户疑似重复索赔")
    ClaimEvent.objects.create(
        claim=claim, kind="agent_reply", actor=agent, actor_label="A1001", body="已处理"
    )
    client = login_as(customer)
    page = client.get(f"/claims/{claim.reference}/").content.decode()
    assert "客户疑似重复索赔" not in page and "A1001" in page and agent.email not in page
    assert "客户疑似重复索赔" not in client.get(f"/claims/{claim.reference}/export/").content.decode()


# --- Customer actions through the pages ------------------------------------------------------------------
def test_reply_withdraw_and_messages(login_as, customer, platform):
    client = login_as(customer)
    claim = ClaimFactory(customer=customer, platform=platform, status=ClaimStatus.WAITING_ON_CUSTOMER)
    assert client.post(f"/claims/{claim.reference}/reply/", {"body": ""}).status_code == 400
    assert client.post(f"/claims/{claim.reference}/reply/", {"body": "补充：订单截图"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN
    client.post(f"/claims/{claim.reference}/withdraw/", {"reason": "已解决"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN


def test_confirm_rate_and_reopen_window(login_as, customer, platform, settings):
    import time_machine

    client = login_as(customer)
    claim = ClaimFactory(customer=customer, platform=platform)
    client.post(f"/claims/{claim.reference}/confirm/")
    assert client.post(f"/claims/{claim.reference}/rate/", {"rating": "6"}).status_code == 400
    assert (
        client.post(f"/claims/{claim.reference}/rate/", {"rating": "4", "comment": "ok"}).status_code == 302
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RESOLVED and claim.rating == 4
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client.post(f"/claims/{claim.reference}/reopen/", {"reason": "又出问题"})
        assert response.status_code == 400 and "7 天内" in response.content.decode()
    assert client.post(f"/claims/{claim.reference}/reopen/", {"reason": "又出问题"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN


def test_the_12315_panel_appears_past_the_platforms_promise(login_as, customer, platform):
    PlatformClaimPolicy.objects.create(platform=platform, resolution_promise=timedelta(hours=24))
    client = login_as(customer)
    fresh = ClaimFactory(customer=customer, platform=platform)
    old = ClaimFactory(customer=customer, platform=platform, created_at=timezone.now() - timedelta(hours=30))
    assert "12315" not in client.get(f"/claims/{fresh.reference}/").content.decode()
    assert "12315" in client.get(f"/claims/{old.reference}/").content.decode()


def test_the_export_is_a_printable_record(login_as, customer, platform):
    claim = _claim_with_evidence(customer, platform)
    response = login_as(customer).get(f"/claims/{claim.reference}/export/")
    page = response.content.decode()
    assert claim.reference in page and Evidence.objects.get().sha256 in page and "data-print" in page


def test_customers_sign_in_with_their_phone_number_once_verified(client, customer, platform):
    User.objects.filter(pk=customer.pk).update(phone="+8613800138000")
    response = client.post("/accounts/login/", {"username": "138 0013 8000", "password": PASSWORD})
    assert response.status_code == 200  # an unverified number signs nobody in
    User.objects.filter(pk=customer.pk).update(phone_verified_at=timezone.now())
    response = client.post("/accounts/login/", {"username": "138 0013 8000", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "zh", "en"),
    [
        ("platform", "", "该字段是必填项", "This field is required"),
        ("problem_type", "999999", "选择一个有效的选项", "Select a valid choice"),
        ("order_number", "a b", "请只使用字母", "Use only letters"),
        ("product", "", "该字段是必填项", "This field is required"),
        ("amount", "0", "大于或等于0.01", "greater than or equal to 0.01"),
        ("amount", "1.234", "小数不超过 2 位", "decimal place"),
        ("currency", "EUR", "选择一个有效的选项", "Select a valid choice"),
        ("payment_channel", "cash", "选择一个有效的选项", "Select a valid choice"),
        ("paid_at", "昨天", "请输入付款时间", "Enter the payment time"),
        ("transaction_id", "流水号", "请只使用字母", "Use only letters"),
        ("description", "没到账", "至少 20 个字", "at least 20 characters"),
        ("desired_outcome", "", "该字段是必填项", "This field is required"),
        ("contact_phone", "12345", "请输入有效的手机号码", "Enter a valid phone number"),
        ("preferred_contact", "pigeon", "选择一个有效的选项", "Select a valid choice"),
    ],
)
def test_every_field_says_what_is_wrong_in_both_languages(field, value, zh, en, login_as, customer, platform):
    client = login_as(customer)
    data = {**form_data(platform), field: value}
    response = client.post("/claims/new/", data)
    assert response.status_code == 400
    assert zh in response.content.decode(), field
    client.cookies["claimdesk_language"] = "en"
    response = client.post("/claims/new/", data)
    assert en in response.content.decode(), field
    assert Claim.objects.count() == 0


def test_the_web_form_is_rate_limited_like_the_api(login_as, customer, platform, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "claims": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = login_as(customer)
    for order in ("R1", "R2"):
        assert client.post("/claims/new/", form_data(platform, order_number=f"{order}00")).status_code == 302
    response = client.post("/claims/new/", form_data(platform, order_number="R300"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "请稍后再试" in page and "R300" in page  # what was typed is kept
    assert Claim.objects.count() == 2
