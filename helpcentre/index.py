"""The search documents: one per published article and language, segmented at publish time."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from helpcentre import content, text
from helpcentre.models import Article, ArticleStatus, SearchDocument

LANGUAGES = ("zh", "en")


def document_fields(article: Article, language: str) -> dict[str, object]:
    revision = article.current
    assert revision is not None
    title = revision.title(language)
    body = revision.body(language)
    title_words = text.document_tokens(title)
    slugs = list(revision.problem_type_slugs)
    markers = [text.problem_type_marker(slug) for slug in slugs]
    tokens = [*title_words, *text.document_tokens(content.plain_text(body)), *markers]
    return {
        "title": title,
        "plain": content.plain_text(body),
        "tokens": " " + " ".join(tokens) + " ",
        "title_tokens": " " + " ".join(title_words) + " ",
        "key_tokens": " ".join([*title_words, *markers]),
        "platform_id": article.platform_id,
        "problem_type_slugs": "|" + "|".join(slugs) + "|" if slugs else "",
        "sort_order": article.sort_order,
    }


def rebuild(article: Article) -> None:
    if article.status != ArticleStatus.PUBLISHED or article.current is None:
        remove(article)
        return
    for language in LANGUAGES:
        SearchDocument.objects.update_or_create(
            article=article, language=language, defaults=document_fields(article, language)
        )
    sync_vectors(article_ids=[article.pk])
    text.vocabulary_changed()


def sync_vectors(*, article_ids: Sequence[int] | None = None) -> None:
    """PostgreSQL: (re)write the narrow vector rows of these articles' documents (all when None)."""
    if connection.vendor != "postgresql":
        return
    where = "WHERE d.article_id = ANY(%s)" if article_ids is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO helpcentre_searchvectorrow
                (document_id, language, platform_id, sort_order, vector, key_vector)
            SELECT d.id, d.language, d.platform_id, d.sort_order,
                   strip(to_tsvector('simple', d.tokens)), to_tsvector('simple', d.key_tokens)
            FROM helpcentre_searchdocument d {where}
            ON CONFLICT (document_id) DO UPDATE SET
                language = EXCLUDED.language, platform_id = EXCLUDED.platform_id,
                sort_order = EXCLUDED.sort_order, vector = EXCLUDED.vector, key_vector = EXCLUDED.key_vector
            """,  # noqa: S608 - the only formatted part is a constant
            [list(article_ids)] if article_ids is not None else [],
        )


def remove(article: Article) -> None:
    SearchDocument.objects.filter(article=article).delete()
    text.vocabulary_changed()
