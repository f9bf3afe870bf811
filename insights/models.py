"""Insight and privacy: the daily roll-up, platform scorecards and their public responses, data exports and
account deletions, and the pseudonyms that replace a deleted person in the append-only audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Grain(models.TextChoices):
    """Which dimension a roll-up row is cut by (medians cannot be added up, so each cut is stored)."""

    ALL = "all", _("All claims")
    PLATFORM = "platform", _("Platform")
    TEAM = "team", _("Team")
    PROBLEM_TYPE = "problem_type", _("Problem type")
    PLATFORM_PROBLEM = "platform_problem", _("Platform and problem type")
    AGENT = "agent", _("Agent")


class DailyRollup(models.Model):
    """One day's figures for one cut (all claims, one platform, one team or one problem type).

    Filled by the ``insights.rollup`` beat task with one set-based statement per day; a day is replaced
    as a whole (delete + insert in one transaction), so re-running it is harmless.
    """

    day = models.DateField(_("day"))
    grain = models.CharField(_("cut"), max_length=16, choices=Grain.choices)
    # Plain ids, not foreign keys: a roll-up row outlives nothing and must never block a delete.
    platform_id = models.BigIntegerField(null=True, blank=True)
    team_id = models.BigIntegerField(null=True, blank=True)
    problem_type_id = models.BigIntegerField(null=True, blank=True)
    assignee_id = models.BigIntegerField(null=True, blank=True)
    filed = models.PositiveIntegerField(_("filed"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    backlog = models.PositiveIntegerField(_("open at the end of the day"), default=0)
    first_responses = models.PositiveIntegerField(default=0)
    median_first_response_s = models.FloatField(null=True, blank=True)
    median_resolution_s = models.FloatField(null=True, blank=True)
    sla_first_total = models.PositiveIntegerField(default=0)
    sla_first_met = models.PositiveIntegerField(default=0)
    sla_resolution_total = models.PositiveIntegerField(default=0)
    sla_resolution_met = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    low_ratings = models.PositiveIntegerField(default=0)
    callbacks_done = models.PositiveIntegerField(default=0)
    callbacks_unreached = models.PositiveIntegerField(default=0)
    # Placeholder until the help centre exists: questions answered without a claim.
    deflected = models.PositiveIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("daily roll-up")
        verbose_name_plural = _("daily roll-ups")
        ordering = ["day", "grain"]
        indexes = [
            models.Index(fields=["grain", "day"], name="rollup_grain_day_idx"),
            models.Index(fields=["platform_id", "day"], name="rollup_platform_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.grain}"


class ScorecardSnapshot(models.Model):
    """A platform's public figures over the last 90 days, recomputed daily. A figure is published only
    where at least ``SCORECARD_MIN_CLAIMS`` claims back it (``None`` = not enough claims)."""

    platform = models.OneToOneField(
        "contacts.Platform", on_delete=models.CASCADE, related_name="scorecard", verbose_name=_("platform")
    )
    period_start = models.DateField()
    period_end = models.DateField()
    claims = models.PositiveIntegerField(default=0)
    median_first_response_s = models.FloatField(null=True, blank=True)
    first_response_sample = models.PositiveIntegerField(default=0)
    resolved_within_promise = models.FloatField(null=True, blank=True)
    promise_sample = models.PositiveIntegerField(default=0)
    csat = models.FloatField(null=True, blank=True)
    csat_sample = models.PositiveIntegerField(default=0)
    top_problem_types = models.JSONField(
        default=list, blank=True
    )  # [{"slug", "name_zh", "name_en", "claims"}]
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("platform scorecard")
        verbose_name_plural = _("platform scorecards")

    def __str__(self) -> str:
        return f"{self.platform_id} {self.period_end}"


class ScorecardResponse(models.Model):
    """A platform's public answer to its scorecard, one per quarter (entered by a directory admin on the
    platform's behalf)."""

    platform = models.ForeignKey(
        "contacts.Platform", on_delete=models.CASCADE, related_name="scorecard_responses"
    )
    quarter = models.CharField(_("quarter"), max_length=7)  # 2026-Q4
    body = models.TextField(_("response"), max_length=2000)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("scorecard response")
        verbose_name_plural = _("scorecard responses")
        ordering = ["-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "quarter"], name="scorecard_response_one_per_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.platform_id} {self.quarter}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Failed")


class DataExport(models.Model):
    """A person's copy of their data (JSON + evidence files in a zip), built by Celery, offered 24 h."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    storage_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="data_export_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status}"


class DeletionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


class DeletionRequest(models.Model):
    """Account deletion after ``ACCOUNT_DELETION_COOLING_OFF``, cancellable until then."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="deletion_requests"
    )
    status = models.CharField(max_length=10, choices=DeletionStatus.choices, default=DeletionStatus.SCHEDULED)
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    pseudonym = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="scheduled"), name="deletion_one_scheduled"
            )
        ]
        indexes = [models.Index(fields=["due_at"], name="deletion_due_idx", condition=Q(status="scheduled"))]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"


class Pseudonym(models.Model):
    """What the audit trail's rows about a deleted person are read through: audit rows are append-only and
    keep the user id; the label they showed is replaced on display by this pseudonym."""

    user_id = models.BigIntegerField(unique=True)
    label = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.label


class ClaimErasure(models.Model):
    """A claim whose personal data was erased (retention or account deletion): the claim stays only as an
    anonymised statistic. The unique claim makes every sweep idempotent."""

    claim = models.OneToOneField("tickets.Claim", on_delete=models.CASCADE, related_name="erasure")
    reason = models.CharField(max_length=20)  # retention | account_deleted
    erased_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.claim_id} {self.reason}"
