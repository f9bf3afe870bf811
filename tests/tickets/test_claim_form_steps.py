"""The claim form in steps: progress, an error summary that takes focus and links to the fields, and
problem-specific fields and outcomes (a stolen account needs no order and may ask to recover the account)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.factories import problem_type
from tests.support.tickets import form_data
from tickets.models import Claim


def summary(page: str) -> str:
    start = page.index('<div class="error-summary"')
    return page[start : page.index("</div>", start)]


def test_the_form_shows_its_steps(login_as, customer, platform):
    page = login_as(customer).get("/claims/new/").content.decode()
    for anchor in ("step-problem", "step-order", "step-details", "step-evidence", "step-contact"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
    assert 'data-testid="error-summary"' not in page


def test_an_error_summary_takes_focus_and_links_to_each_field(login_as, customer, platform):
    data = form_data(platform, amount="一百", description="太短")
    response = login_as(customer).post("/claims/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    box = summary(page)
    assert "data-focus-on-load" in box and 'role="alert"' in box
    assert 'href="#id_amount"' in box and 'href="#id_description"' in box
    assert box.index("#id_amount") < box.index("#id_description")  # in the order of the steps
    assert '<li class="invalid"><a href="#step-order">' in page


def test_a_purchase_claim_still_needs_its_order(login_as, customer, platform):
    data = form_data(platform, order_number="", amount="", paid_at="")
    page = login_as(customer).post("/claims/new/", data).content.decode()
    box = summary(page)
    assert 'href="#id_order_number"' in box and 'href="#id_amount"' in box and 'href="#id_paid_at"' in box
    assert not Claim.objects.exists()


def test_a_stolen_account_needs_no_order_and_can_ask_to_recover_the_account(login_as, customer, platform):
    lost = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    data = form_data(
        platform,
        problem_type=str(problem_type("account-stolen").pk),
        order_number="",
        product="",
        amount="",
        payment_channel="",
        paid_at="",
        access_lost_at=lost,
        description="昨晚账号被人改了密码和绑定手机，我已经无法登录，余额还在账号里。",
        desired_outcome="recover_account",
    )
    response = login_as(customer).post("/claims/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = Claim.objects.get()
    assert claim.desired_outcome == "recover_account" and claim.order_number == ""
    assert claim.access_lost_at is not None


def test_recover_my_account_is_refused_for_a_purchase_problem(login_as, customer, platform):
    data = form_data(platform, desired_outcome="recover_account")
    page = login_as(customer).post("/claims/new/", data).content.decode()
    assert 'href="#id_desired_outcome_0"' in summary(page)
    assert not Claim.objects.exists()
