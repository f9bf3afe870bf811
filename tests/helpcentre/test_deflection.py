from __future__ import annotations

import pytest

from contacts.models import Platform, ProblemType
from helpcentre.models import HelpOutcome
from helpcentre.selectors import deflection_by_problem_type

pytestmark = pytest.mark.django_db


def _suggest(client, platform, problem, words):
    return client.post(
        "/help/suggestions/", {"platform": platform, "problem_type": problem, "description": words}
    )


def _ids(platform="xingyun", problem="topup-not-credited"):
    return Platform.objects.get(slug=platform).pk, ProblemType.objects.get(slug=problem).pk


def test_the_claim_form_gets_the_three_best_articles(help_demo, client):
    platform, problem = _ids()
    response = client.post(
        "/help/suggestions/",
        {"platform": platform, "problem_type": problem, "description": "钱扣了没到账"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 1 <= html.count('name="article"') <= 3
    assert html.index('value="xingyun-topup-not-credited"') == html.index('name="article" value=') + len(
        'name="article" '
    )


def test_at_most_three_articles_are_suggested(help_demo, client):
    platform, problem = _ids("lanjing", "account-stolen")
    html = client.post(
        "/help/suggestions/",
        {"platform": platform, "problem_type": problem, "description": "账号 被盗 冻结 卡密 充值 退款 商家"},
    ).content.decode()
    assert html.count('name="article"') == 3


def test_suggestions_are_counted_once_per_flow(help_demo, client):
    platform, problem = _ids()
    for words in ("钱扣了", "钱扣了没到账", "钱扣了没到账 怎么办"):
        client.post(
            "/help/suggestions/", {"platform": platform, "problem_type": problem, "description": words}
        )
    assert HelpOutcome.objects.filter(kind="shown", source="claim_form").count() == 1


def test_nothing_is_suggested_or_counted_without_a_problem_or_words(help_demo, client):
    response = client.post("/help/suggestions/", {"platform": "", "problem_type": "", "description": "a"})
    assert 'name="article"' not in response.content.decode()
    assert not HelpOutcome.objects.exists()


def test_this_solved_it_ends_the_flow_and_counts_for_the_problem_type(
    help_demo, client, supervisor, login_as
):
    platform, problem = _ids()
    _suggest(client, platform, problem, "没到账")
    other_platform, other_problem = _ids("lanjing", "trade-dispute")
    client.post(
        "/help/suggestions/",
        {"platform": other_platform, "problem_type": other_problem, "description": "退款"},
    )
    data = {"article": "xingyun-topup-not-credited", "platform": platform, "problem_type": problem}
    response = client.post("/help/suggestions/solved/", data)
    assert response.status_code == 200
    client.post("/help/suggestions/solved/", data)  # back button, second click: counted once
    rows = {row.problem_type.slug: row for row in deflection_by_problem_type()}
    assert (rows["topup-not-credited"].shown, rows["topup-not-credited"].solved) == (1, 1)
    assert rows["topup-not-credited"].rate == 1.0
    assert (rows["trade-dispute"].shown, rows["trade-dispute"].solved) == (1, 0)
    assert rows["trade-dispute"].rate == 0.0
    assert rows["fraud"].rate is None

    page = login_as(supervisor).get("/help/deflection/")
    assert page.status_code == 200
    assert "100 %" in page.content.decode()


def test_customers_and_agents_do_not_see_the_deflection_figures(help_demo, client, customer, agent, login_as):
    assert login_as(customer).get("/help/deflection/").status_code == 403
    assert login_as(agent).get("/help/deflection/").status_code == 403


def test_the_claim_form_asks_the_help_centre(client, help_demo):
    html = client.get("/claims/new/").content.decode()
    assert 'hx-post="/help/suggestions/"' in html


def test_article_feedback_is_counted_once_per_session(help_demo, client):
    from helpcentre.models import Article

    client.post("/help/xingyun-fraud/feedback/", {"solved": "yes"})
    client.post("/help/xingyun-fraud/feedback/", {"solved": "yes"})
    article = Article.objects.get(slug="xingyun-fraud")
    assert (article.solved_count, article.not_solved_count) == (1, 0)


def test_the_description_never_travels_in_a_url(help_demo, client):
    platform, problem = _ids()
    response = client.get(
        "/help/suggestions/", {"platform": platform, "problem_type": problem, "description": "钱扣了没到账"}
    )
    assert response.status_code == 405
