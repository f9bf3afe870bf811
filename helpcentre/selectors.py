"""Reads of the help centre: the search, published articles, and the deflection figures."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet

from contacts.models import Platform, ProblemType
from helpcentre import content, text
from helpcentre.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    HelpOutcome,
    OutcomeKind,
    OutcomeSource,
    SearchDocument,
)

_CANDIDATES = 25
_MAX_TERMS = 40
# What the index is asked for: the typed words, their pinyin and the synonyms' keywords (weight >= 0.6), at
# most 12. The weaker pinyin windows only re-rank the candidates: each extra OR term costs the index scan.
_INDEX_WEIGHT = 0.6
_INDEX_TERMS = 12
_INTENT_BONUS = 6.0
_PLATFORM_BONUS = 2.0
_GENERAL_BONUS = 0.5
_SAFE_TERM = re.compile(r"^[a-z0-9\u3400-\u4dbf\u4e00-\u9fff]+$")


@dataclass(frozen=True)
class Hit:
    article_id: int
    slug: str
    title: str
    snippet: str
    platform_slug: str | None
    problem_type_slug: str | None
    score: float


def published_articles() -> QuerySet[Article]:
    return (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, current__isnull=False)
        .select_related("platform", "current")
        .prefetch_related("problem_types")
    )


def published_article(*, slug: str) -> Article | None:
    return published_articles().filter(slug=slug).first()


def search(
    *,
    query: str,
    language: str,
    platform: Platform | None = None,
    problem_type: ProblemType | None = None,
    limit: int = 10,
) -> list[Hit]:
    """Published articles for ``query`` in ``language``, best first.

    The wording's problem type (synonyms, or the one given) counts most, then the platform (its own
    articles and general ones; other platforms' articles are left out), then the words themselves.
    """
    parsed = text.corrected(text.parse_query(query), language)
    intents = list(dict.fromkeys(([problem_type.slug] if problem_type else []) + list(parsed.intents)))
    terms = dict(sorted(parsed.terms.items(), key=lambda item: -item[1])[:_MAX_TERMS])
    terms = {t: w for t, w in terms.items() if _SAFE_TERM.match(t)}
    markers = [text.problem_type_marker(slug) for slug in intents]
    if not terms and not markers:
        return []
    strong = [t for t, w in terms.items() if w >= _INDEX_WEIGHT][:_INDEX_TERMS] or list(terms)[:_INDEX_TERMS]
    if connection.vendor == "postgresql":
        ids = _candidates_postgresql(strong, markers, language, platform)
    else:
        ids = _candidates_portable(strong, markers, language, platform)
    documents = (
        SearchDocument.objects.filter(pk__in=ids)
        .select_related("platform", "article")
        .only(
            "article__slug",
            "platform__slug",
            "title",
            "plain",
            "tokens",
            "title_tokens",
            "problem_type_slugs",
            "sort_order",
        )
    )
    scored = [(_score(doc, terms, intents, platform), doc) for doc in documents]
    scored.sort(key=lambda item: (-item[0], item[1].sort_order, item[1].article_id))
    return [
        Hit(
            article_id=doc.article_id,
            slug=doc.article.slug,
            title=doc.title,
            snippet=_snippet(doc.plain, terms),
            platform_slug=doc.platform.slug if doc.platform else None,
            problem_type_slug=_main_type(doc, intents),
            score=round(score, 3),
        )
        for score, doc in scored[:limit]
        if score > 0
    ]


def _candidates_postgresql(
    terms: list[str], markers: list[str], language: str, platform: Platform | None
) -> list[int]:
    """One query on the GIN index of the stored ``search_vector``; the order prefers the same things as
    ``_score`` (problem type, platform, words), so the best documents are among the candidates."""
    anything = " | ".join(f"'{t}'" for t in [*terms, *markers])
    intent = " | ".join(f"'{m}'" for m in markers) or "'ptnone'"
    platform_sql = "AND (v.platform_id = %(platform)s OR v.platform_id IS NULL)" if platform else ""
    # Which documents match: the GIN index on the narrow rows' vector. How to order them: the problem type,
    # the platform and whether the title has a word (the small key_vector; ts_rank per match cost 5x more);
    # _score then ranks the candidates on all their words.
    sql = f"""
        SELECT v.document_id
        FROM helpcentre_searchvectorrow v,
             to_tsquery('simple', %(anything)s) AS anything,
             to_tsquery('simple', %(intent)s) AS intent
        WHERE v.language = %(language)s AND v.vector @@ anything {platform_sql}
        ORDER BY (CASE WHEN v.key_vector @@ intent THEN {_INTENT_BONUS} ELSE 0 END)
               + (CASE WHEN v.platform_id = %(platform)s THEN {_PLATFORM_BONUS} ELSE 0 END)
               + (CASE WHEN v.key_vector @@ anything THEN 1 ELSE 0 END) DESC, v.sort_order, v.document_id
        LIMIT {_CANDIDATES}
    """  # noqa: S608 - only constants are formatted in; values are parameters
    params = {
        "language": language,
        "anything": anything,
        "intent": intent,
        "platform": platform.pk if platform else None,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner prices "@@" as cheap and, for a common word, picks a sequential scan that reads every
        # row's vector (~100 ms at 10,000 articles); the GIN bitmap scan answers in a few ms. Only for this
        # query: the setting is put back before the transaction (or the caller's) goes on.
        cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
        previous = cursor.fetchone()[0]
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])
        return ids


def _candidates_portable(
    terms: list[str], markers: list[str], language: str, platform: Platform | None
) -> list[int]:
    """SQLite (the demo and `make run`): substring matches on the space-delimited tokens."""
    match = Q()
    for term in [*terms, *markers]:
        match |= Q(tokens__contains=f" {term} ")
    documents = SearchDocument.objects.filter(match, language=language)
    if platform is not None:
        documents = documents.filter(Q(platform=platform) | Q(platform__isnull=True))
    return list(documents.values_list("pk", flat=True)[:2000])


def _score(
    doc: SearchDocument, terms: dict[str, float], intents: list[str], platform: Platform | None
) -> float:
    tokens = set(doc.tokens.split())
    title = set(doc.title_tokens.split())
    score = sum(weight * (2.0 if term in title else 1.0) for term, weight in terms.items() if term in tokens)
    for rank, slug in enumerate(intents):
        if f"|{slug}|" in doc.problem_type_slugs:
            score += _INTENT_BONUS / (rank + 1)
            break
    if platform is not None:
        score += _PLATFORM_BONUS if doc.platform_id == platform.pk else _GENERAL_BONUS
    return score


def _main_type(doc: SearchDocument, intents: list[str]) -> str | None:
    slugs = [s for s in doc.problem_type_slugs.split("|") if s]
    for slug in intents:
        if slug in slugs:
            return slug
    return slugs[0] if slugs else None


def _snippet(plain: str, terms: dict[str, float], size: int = 120) -> str:
    positions = [
        plain.lower().find(t) for t, w in terms.items() if (w >= 0.7 and not t.isascii()) or len(t) > 3
    ]
    positions = [p for p in positions if p >= 0]
    start = max(0, min(positions) - 20) if positions else 0
    piece = plain[start : start + size]
    return ("…" if start else "") + piece + ("…" if start + size < len(plain) else "")


# --- Still official? -------------------------------------------------------------------------------------
_RECHECK_SECONDS = 60


def no_longer_official(revision: ArticleRevision) -> list[str]:
    """What a published revision typed that the checker no longer calls official (a number retired or
    reported since): the page then withholds the text. Re-checked at most once a minute per revision."""
    key = f"helpcentre:recheck:{revision.pk}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    refused = content.unofficial_items(
        [revision.title_zh, revision.body_zh, revision.title_en, revision.body_en]
    )
    values = [r.text or r.verdict for r in refused]
    cache.set(key, values, _RECHECK_SECONDS)
    return values


# --- Browsing --------------------------------------------------------------------------------------------
def browse(*, platform: Platform | None = None, problem_type: ProblemType | None = None) -> QuerySet[Article]:
    articles = published_articles()
    if platform is not None:
        articles = articles.filter(Q(platform=platform) | Q(platform__isnull=True))
    if problem_type is not None:
        articles = articles.filter(problem_types=problem_type)
    return articles.order_by("sort_order", "id").distinct()


def platforms_with_articles() -> list[Platform]:
    return list(
        Platform.objects.filter(help_articles__status=ArticleStatus.PUBLISHED).distinct().order_by("name")
    )


# --- Deflection ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeflectionRow:
    problem_type: ProblemType | None
    shown: int
    solved: int

    @property
    def rate(self) -> float | None:
        return self.solved / self.shown if self.shown else None


def deflection_by_problem_type() -> list[DeflectionRow]:
    """Claim-form flows that saw suggestions, and those that ended with "this solved it", per problem type."""
    counts = (
        HelpOutcome.objects.filter(source=OutcomeSource.CLAIM_FORM)
        .values("problem_type")
        .annotate(
            shown=Count("id", filter=Q(kind=OutcomeKind.SHOWN)),
            solved=Count("id", filter=Q(kind=OutcomeKind.SOLVED)),
        )
    )
    by_type = {row["problem_type"]: row for row in counts}
    rows = []
    for pt in ProblemType.objects.active().order_by("sort_order", "id"):
        row = by_type.get(pt.pk, {"shown": 0, "solved": 0})
        rows.append(DeflectionRow(problem_type=pt, shown=row["shown"], solved=row["solved"]))
    return rows
