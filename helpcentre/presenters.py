"""Shaping articles for templates: rendered segments with the directory's channels in place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from contacts import presenters as contact_presenters
from contacts import selectors as contact_selectors
from contacts.models import Platform, ProblemType
from contacts.recommend import ROUTINE, URGENT, recommend
from helpcentre import content
from helpcentre.models import Article


def recommended_channels(platform: Platform, problem_type: ProblemType | None) -> list[dict[str, Any]]:
    """The directory's published channels of ``platform``, best first now (contacts.recommend)."""
    page = contact_selectors.platform_page(slug=platform.slug)
    urgency = URGENT if problem_type is not None and problem_type.severity >= 4 else ROUTINE
    ordered = recommend(
        contact_selectors.published_channels_of(platform=page),
        problem_type_slug=problem_type.slug if problem_type else None,
        urgency=urgency,
        at=timezone.now(),
    )
    return contact_presenters.recommendations(ordered)


@dataclass
class Block:
    html: str = ""
    channels: list[dict[str, Any]] | None = None
    all_channels: bool = True


def article_blocks(article: Article, language: str, problem_type: ProblemType | None = None) -> list[Block]:
    revision = article.current
    assert revision is not None
    problem_type = problem_type or next(iter(article.problem_types.all()), None)
    recommended: list[dict[str, Any]] | None = None
    blocks = []
    for segment in content.segments(revision.body(language)):
        if not segment.channels:
            blocks.append(Block(html=segment.html))
            continue
        if article.platform is None:
            continue
        if recommended is None:
            recommended = recommended_channels(article.platform, problem_type)
        items = [i for i in recommended if not segment.kind or i["card"].channel.kind == segment.kind]
        blocks.append(Block(channels=items, all_channels=not segment.kind))
    return blocks


def withheld_blocks(article: Article) -> list[Block]:
    """Only the directory's channels: the article's text named a contact that is no longer official."""
    if article.platform is None:
        return []
    problem_type = next(iter(article.problem_types.all()), None)
    return [Block(channels=recommended_channels(article.platform, problem_type), all_channels=True)]
