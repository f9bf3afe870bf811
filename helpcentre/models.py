"""Help articles (data, versioned), their search documents and the counts of what helped."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contacts.models import Platform, ProblemType


def current_language() -> str:
    """The two languages articles are written in: English when the request asks for it, else Chinese."""
    return "en" if (get_language() or "").startswith("en") else "zh"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Article(models.Model):
    """The working copy an editor changes; users only ever see ``current`` (the last published revision)."""

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    platform = models.ForeignKey(
        Platform,
        verbose_name=_("platform"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="help_articles",
        help_text=_("Empty: a general article for every platform."),
    )
    problem_types = models.ManyToManyField(
        ProblemType, verbose_name=_("problem types"), blank=True, related_name="help_articles"
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_zh = models.TextField(_("text (Chinese)"), max_length=20000)
    body_en = models.TextField(_("text (English)"), max_length=20000)
    status = models.CharField(
        _("status"), max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    current = models.ForeignKey(
        "ArticleRevision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    solved_count = models.PositiveIntegerField(_("solved it"), default=0)
    not_solved_count = models.PositiveIntegerField(_("did not solve it"), default=0)

    class Meta:
        verbose_name = _("help article")
        verbose_name_plural = _("help articles")
        ordering = ["sort_order", "id"]
        indexes = [models.Index(fields=["status", "platform"], name="help_article_status_idx")]

    def __str__(self) -> str:
        return self.title_zh or self.slug

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and self.current_id is not None

    @property
    def has_unpublished_changes(self) -> bool:
        rev = self.current
        if rev is None:
            return True
        return (rev.title_zh, rev.title_en, rev.body_zh, rev.body_en) != (
            self.title_zh,
            self.title_en,
            self.body_zh,
            self.body_en,
        )


class ArticleRevision(models.Model):
    """One row per publish: what users saw from ``published_at`` on. Never changed afterwards."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_zh = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"))
    platform_slug = models.CharField(max_length=60, blank=True)
    problem_type_slugs = models.JSONField(default=list, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("what changed"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="help_revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_zh

    def body(self, language: str) -> str:
        return self.body_en if language == "en" else self.body_zh


class SearchDocument(models.Model):
    """The published revision of an article in one language, segmented once at publish time.

    ``tokens`` is space-separated words (jieba for Chinese), their pinyin and one marker per problem type
    (``pt<slug without hyphens>``). On PostgreSQL the search runs on ``SearchVectorRow``.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="search_documents")
    language = models.CharField(max_length=2)
    title = models.CharField(max_length=200)
    plain = models.TextField(help_text="The article as plain text, for snippets.")
    tokens = models.TextField()
    title_tokens = models.TextField(blank=True)
    # The title's words and the problem-type markers: small, so ranking thousands of matches stays cheap.
    key_tokens = models.TextField(blank=True)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, null=True, related_name="+")
    problem_type_slugs = models.CharField(max_length=400, blank=True)  # "|slug|slug|"
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="help_search_unique_language")
        ]
        indexes = [models.Index(fields=["language", "platform"], name="help_search_lang_platform_idx")]

    def __str__(self) -> str:
        return f"{self.article_id}/{self.language}"


class SearchVectorRow(models.Model):
    """PostgreSQL only: a narrow row per document with ``vector`` (``strip(to_tsvector('simple', tokens))``,
    GIN-indexed: which documents match) and ``key_vector`` (title words and problem-type markers: how to order
    the matches). Both columns are added by the migration and written by ``helpcentre.index`` in SQL.

    Kept apart from the wide document rows on purpose: matching thousands of rows must not read (and
    de-TOAST) the text columns; with narrow rows a common word's 1,600 matches are ranked in ~2 ms, not 30.
    """

    document = models.OneToOneField(
        SearchDocument, on_delete=models.CASCADE, primary_key=True, related_name="vector_row"
    )
    language = models.CharField(max_length=2)
    platform_id = models.BigIntegerField(null=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    def __str__(self) -> str:
        return str(self.document_id)


class OutcomeKind(models.TextChoices):
    SHOWN = "shown", _("Suggested")
    SOLVED = "solved", _("Solved it")
    NOT_SOLVED = "not_solved", _("Did not solve it")
    HANDED_OVER = "handed_over", _("Handed over to a person")


class OutcomeSource(models.TextChoices):
    ARTICLE = "article", _("Article page")
    CLAIM_FORM = "claim_form", _("Claim form")
    ASSISTANT = "assistant", _("Assistant")


class HelpOutcome(models.Model):
    """One count: suggestions shown on the claim form, "this solved it", a hand-over. No personal data."""

    kind = models.CharField(max_length=12, choices=OutcomeKind.choices)
    source = models.CharField(max_length=12, choices=OutcomeSource.choices)
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    platform = models.ForeignKey(Platform, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    problem_type = models.ForeignKey(
        ProblemType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["source", "problem_type", "kind"], name="help_outcome_type_idx")]

    def __str__(self) -> str:
        return f"{self.source}:{self.kind}"
