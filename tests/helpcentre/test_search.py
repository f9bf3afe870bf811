from __future__ import annotations

import pytest

from contacts.models import Platform
from helpcentre import selectors
from helpcentre.demo import ARTICLES
from helpcentre.models import Article

pytestmark = pytest.mark.django_db

SEARCH_TABLE = [
    # what a frightened user types, language, platform, the problem type whose article must come first
    ("钱扣了没到账", "zh", "xingyun", "topup-not-credited"),
    ("充值没到账", "zh", None, "topup-not-credited"),
    ("冲值没到帐", "zh", "lanjing", "topup-not-credited"),  # homophone typos
    ("chongzhi meidaozhang", "zh", None, "topup-not-credited"),  # pinyin
    ("卡密用不了", "zh", None, "card-code-invalid"),
    ("卡密显示已被使用了", "zh", "xingyun", "card-code-invalid"),
    ("号被盗了", "zh", None, "account-stolen"),
    ("账号被盗", "zh", "lanjing", "account-stolen"),
    ("我的号被封了", "zh", "xingyun", "account-frozen"),
    ("被骗了 假客服让我转账", "zh", None, "fraud"),
    ("商家跑路了", "zh", None, "merchant-vanished"),
    ("一直不发货", "zh", "lanjing", "merchant-vanished"),
    ("扣了两次钱", "zh", "xingyun", "duplicate-charge"),
    ("会员没生效", "zh", None, "membership-benefit"),
    ("退款", "zh", "lanjing", "trade-dispute"),
    ("怎么兑换", "zh", "lanjing", "how-to"),
    ("my top up never arrived", "en", None, "topup-not-credited"),
    ("the code doesn't work", "en", None, "card-code-invalid"),
    ("account hacked", "en", "xingyun", "account-stolen"),
    ("refnud please", "en", "lanjing", "trade-dispute"),  # typo
    ("charged twice", "en", None, "duplicate-charge"),
    ("seller disappeared", "en", None, "merchant-vanished"),
]


@pytest.mark.parametrize(("query", "language", "platform", "expected"), SEARCH_TABLE)
def test_colloquial_wording_finds_the_right_problem_types_article_first(
    help_demo, query, language, platform, expected
):
    hits = selectors.search(
        query=query,
        language=language,
        platform=Platform.objects.get(slug=platform) if platform else None,
    )
    assert hits, query
    first = Article.objects.get(pk=hits[0].article_id)
    assert expected in {pt.slug for pt in first.problem_types.all()}, [h.slug for h in hits]
    if platform:
        assert all(h.platform_slug in (platform, None) for h in hits)


def test_the_platform_counts_in_the_ranking(help_demo):
    hits = selectors.search(query="充值没到账", language="zh", platform=Platform.objects.get(slug="lanjing"))
    assert hits[0].slug == "lanjing-topup-not-credited"
    hits = selectors.search(query="充值没到账", language="zh", platform=Platform.objects.get(slug="xingyun"))
    assert hits[0].slug == "xingyun-topup-not-credited"


def test_every_problem_type_has_a_demo_article(help_demo):
    from contacts.models import ProblemType

    covered = {slug for item in ARTICLES for slug in item.types}
    assert set(ProblemType.objects.values_list("slug", flat=True)) <= covered
    assert Article.objects.filter(status="published").count() >= 12


def test_nonsense_finds_nothing(help_demo):
    assert selectors.search(query="zzzz qqqq", language="en") == []


def test_archived_articles_are_not_found(help_demo, editor):
    from helpcentre import services

    article = Article.objects.get(slug="lanjing-trade-dispute")
    services.article_archive(actor=editor, article=article)
    hits = selectors.search(query="退款", language="zh", platform=Platform.objects.get(slug="lanjing"))
    assert "lanjing-trade-dispute" not in [h.slug for h in hits]
