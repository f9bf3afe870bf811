"""Help-centre search benchmark: 10,000 published articles, colloquial queries (not a test).

Run against a throwaway PostgreSQL database (it migrates it and fills it once):

    createdb -h 127.0.0.1 -U postgres claimdesk_help_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_help_bench
    .venv/bin/python -m bench.help_bench

The articles are the demo articles' search documents (real jieba tokens, pinyin and problem-type markers)
plus 150 words drawn from jieba's dictionary each, over 200 platforms. Prints p50/p95/max in milliseconds
for the search selector and for ``GET /api/v1/help/search/``, and the SQL queries per search.
Target (issue #16): p95 <= 20 ms at 10,000 articles.
"""

from __future__ import annotations

import os
import random
import sys
import time

os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("API_THROTTLE_ANON", "100000000/min")
os.environ.setdefault("API_THROTTLE_CHECKER", "100000000/min")
os.environ.setdefault("API_THROTTLE_USER", "100000000/min")

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from bench.contacts_bench import measure  # sets Django up (first-party imports below need it)
from contacts.models import Platform, ProblemType
from helpcentre import index, selectors, text
from helpcentre.demo import ARTICLES
from helpcentre.models import Article, ArticleRevision, ArticleStatus, SearchDocument

TOTAL = int(os.environ.get("BENCH_ARTICLES", "10000"))
PLATFORMS = 200
QUERIES = [
    "钱扣了没到账",
    "充值没到账怎么办",
    "冲值没到帐",
    "卡密用不了",
    "卡密显示已被使用",
    "号被盗了",
    "账号被冻结了怎么解冻",
    "被骗了 假客服",
    "商家跑路不发货",
    "扣了两次钱",
    "会员没生效",
    "退款",
    "chongzhi",
    "怎么兑换卡密",
]


def populate() -> None:
    if SearchDocument.objects.filter(article__slug__startswith="bench-").exists():
        return
    started = time.perf_counter()
    rng = random.Random(16)
    pool = [w for w, f in text._tokenizer().FREQ.items() if f > 200 and 1 < len(w) <= 4][:20000]
    types = {pt.slug: pt for pt in ProblemType.objects.all()}
    with transaction.atomic():
        platforms = Platform.objects.bulk_create(
            [Platform(name=f"基准卡盟{i}", slug=f"bench-help-{i}") for i in range(PLATFORMS)]
        )
        templates = []
        for item in ARTICLES:
            zh = text.document_tokens(item.title_zh + " " + item.body_zh)
            en = text.document_tokens(item.title_en + " " + item.body_en)
            templates.append((item, zh, en))
        articles = Article.objects.bulk_create(
            [
                Article(
                    slug=f"bench-{n}",
                    platform=platforms[n % PLATFORMS] if n % 10 else None,
                    title_zh=templates[n % len(templates)][0].title_zh,
                    title_en=templates[n % len(templates)][0].title_en,
                    body_zh="…",
                    body_en="…",
                    status=ArticleStatus.PUBLISHED,
                )
                for n in range(TOTAL)
            ],
            batch_size=1000,
        )
        revisions = ArticleRevision.objects.bulk_create(
            [
                ArticleRevision(article=a, number=1, title_zh=a.title_zh, title_en=a.title_en)
                for a in articles
            ],
            batch_size=1000,
        )
        for article, revision in zip(articles, revisions, strict=True):
            article.current = revision
        Article.objects.bulk_update(articles, ["current"], batch_size=1000)
        docs = []
        for n, article in enumerate(articles):
            item, zh, en = templates[n % len(templates)]
            slugs = [s for s in item.types if s in types]
            markers = [text.problem_type_marker(s) for s in slugs]
            noise = rng.sample(pool, 150)
            for language, tokens, title in (("zh", zh, item.title_zh), ("en", en, item.title_en)):
                words = [*tokens, *(noise if language == "zh" else []), *markers]
                docs.append(
                    SearchDocument(
                        article=article,
                        language=language,
                        title=title,
                        plain=(item.body_zh if language == "zh" else item.body_en)[:400],
                        tokens=" " + " ".join(words) + " ",
                        title_tokens=" " + " ".join(text.document_tokens(title)) + " ",
                        key_tokens=" ".join([*text.document_tokens(title), *markers]),
                        platform_id=article.platform_id,
                        problem_type_slugs="|" + "|".join(slugs) + "|",
                    )
                )
        SearchDocument.objects.bulk_create(docs, batch_size=1000)
        index.sync_vectors()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE helpcentre_searchvectorrow")
    print(f"populated {TOTAL} articles in {time.perf_counter() - started:.1f} s")


def main() -> int:
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL to a throwaway database.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    populate()
    print(f"data: {SearchDocument.objects.count()} search documents, {Article.objects.count()} articles")
    rng = random.Random(7)
    platforms = list(Platform.objects.filter(slug__startswith="bench-help-"))
    picks = [(rng.choice(QUERIES), rng.choice(platforms)) for _ in range(400)]
    text.parse_query("预热")  # jieba's dictionary loads once per process, before the timings

    def search_all(i: int) -> object:
        return selectors.search(query=picks[i % len(picks)][0], language="zh")

    def search_platform(i: int) -> object:
        query, platform = picks[i % len(picks)]
        return selectors.search(query=query, language="zh", platform=platform)

    client = Client()

    def api(i: int) -> object:
        query, platform = picks[i % len(picks)]
        response = client.get("/api/v1/help/search/", {"q": query, "platform": platform.slug})
        assert response.status_code == 200, response.status_code
        return response

    measure("search, all platforms", search_all)
    measure("search, one platform", search_platform)
    measure("GET /api/v1/help/search/?q=…&platform=…", api)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT document_id FROM helpcentre_searchvectorrow WHERE language = 'zh' "
            "AND vector @@ to_tsquery('simple', '''充值'' | ''到账''')"
        )
        print("plan:", " / ".join(row[0].strip() for row in cursor.fetchall()[:4]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
