"""The search documents: one per published article and language, segmented at publish time."""

from __future__ import annotations

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
    text.vocabulary_changed()


def remove(article: Article) -> None:
    SearchDocument.objects.filter(article=article).delete()
    text.vocabulary_changed()
