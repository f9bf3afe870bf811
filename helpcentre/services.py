"""Writes of the help centre: save a draft, publish (checked), archive, and count what helped."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Platform, ProblemType
from helpcentre import content, index
from helpcentre.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    HelpOutcome,
    OutcomeKind,
    OutcomeSource,
)
from helpdesk.audit import audit_record, snapshot
from helpdesk.models import User

# Addresses under /help/ that are pages, not articles.
RESERVED_SLUGS = frozenset({"assistant", "suggestions", "deflection", "editor"})
_FIELDS = ["slug", "platform_id", "title_zh", "title_en", "body_zh", "body_en", "status", "sort_order"]


def can_edit(user: User | object) -> bool:
    """Directory admins write help articles: they already answer for every official contact in them."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_directory_admin", False))


@dataclass
class ArticleInput:
    slug: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    platform: Platform | None = None
    problem_types: list[ProblemType] = field(default_factory=list)
    sort_order: int = 100


def article_save(*, actor: User, data: ArticleInput, article: Article | None = None) -> Article:
    """Create or change the working copy. Users keep seeing the published revision until the next publish."""
    if not can_edit(actor):
        raise PermissionDenied
    with transaction.atomic():
        if article is None:
            article = Article()
            before = None
        else:
            article = Article.objects.select_for_update().get(pk=article.pk)
            before = {**snapshot(article, _FIELDS), "problem_types": _slugs(article)}
        if data.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This address is taken by a help centre page.")})
        for name in ("slug", "title_zh", "title_en", "body_zh", "body_en", "platform", "sort_order"):
            setattr(article, name, getattr(data, name))
        article.updated_at = timezone.now()
        article.full_clean(exclude=["current"])
        article.save()
        article.problem_types.set(data.problem_types)
        audit_record(
            actor=actor,
            action="help.article_created" if before is None else "help.article_saved",
            obj=article,
            before=before,
            after={**snapshot(article, _FIELDS), "problem_types": _slugs(article)},
        )
    return article


def _slugs(article: Article) -> list[str]:
    return sorted(article.problem_types.values_list("slug", flat=True))


def publish_problems(article: Article) -> list[str]:
    """Why ``article`` cannot be published, each named; empty when it can."""
    problems: list[str] = []
    for language, title, body in (
        ("zh", article.title_zh, article.body_zh),
        ("en", article.title_en, article.body_en),
    ):
        if not title.strip() or not body.strip():
            problems.append(
                _("The Chinese title and text are required.")
                if language == "zh"
                else _("The English title and text are required.")
            )
        problems += content.shortcode_problems(body, has_platform=article.platform_id is not None)
    for refusal in content.unofficial_items(
        [article.title_zh, article.body_zh, article.title_en, article.body_en]
    ):
        if refusal.text:
            problems.append(
                _("“%(value)s” is not an official contact (verdict: %(verdict)s). %(reason)s")
                % {"value": refusal.text, "verdict": refusal.verdict, "reason": refusal.reason}
            )
        else:
            problems.append(refusal.reason)
    return list(dict.fromkeys(problems))


def article_publish(*, actor: User, article: Article, note: str = "") -> ArticleRevision:
    """Publish the working copy as a new revision, after the checker has called every contact official.

    Raises ValidationError naming each refused number, link or e-mail; nothing changes then.
    """
    if not can_edit(actor):
        raise PermissionDenied
    with transaction.atomic():
        article = (
            Article.objects.select_for_update(of=("self",)).select_related("platform").get(pk=article.pk)
        )
        problems = publish_problems(article)
        if problems:
            raise ValidationError(problems, code="not_publishable")
        number = (article.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        revision = ArticleRevision.objects.create(
            article=article,
            number=number,
            title_zh=article.title_zh,
            title_en=article.title_en,
            body_zh=article.body_zh,
            body_en=article.body_en,
            platform_slug=article.platform.slug if article.platform else "",
            problem_type_slugs=_slugs(article),
            published_by=actor,
            note=note[:200],
        )
        before = {"status": article.status, "revision": article.current.number if article.current else None}
        article.current = revision
        article.status = ArticleStatus.PUBLISHED
        article.save(update_fields=["current", "status"])
        index.rebuild(article)
        audit_record(
            actor=actor,
            action="help.article_published",
            obj=article,
            before=before,
            after={
                "status": article.status,
                "revision": number,
                "problem_types": revision.problem_type_slugs,
            },
            reason=note,
        )
    return revision


def article_archive(*, actor: User, article: Article) -> Article:
    """Take an article off the help centre; its revisions stay for the record."""
    if not can_edit(actor):
        raise PermissionDenied
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        before = {"status": article.status}
        article.status = ArticleStatus.ARCHIVED
        article.save(update_fields=["status"])
        index.remove(article)
        audit_record(
            actor=actor,
            action="help.article_archived",
            obj=article,
            before=before,
            after={"status": article.status},
        )
    return article


# --- Counting what helped (anonymous counts, no personal data) ----------------------------------------
def outcome_record(
    *,
    kind: str,
    source: str,
    article: Article | None = None,
    platform: Platform | None = None,
    problem_type: ProblemType | None = None,
) -> HelpOutcome:
    with transaction.atomic():
        if article is not None and source == OutcomeSource.ARTICLE:
            counter = "solved_count" if kind == OutcomeKind.SOLVED else "not_solved_count"
            Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
        return HelpOutcome.objects.create(
            kind=kind, source=source, article=article, platform=platform, problem_type=problem_type
        )
