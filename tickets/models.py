"""Claims, their timeline and evidence. Later issues add triage, teams and SLA on top of these columns."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contacts.models import Platform, ProblemType


class ClaimStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting for your answer")
    WAITING_ON_PLATFORM = "waiting_on_platform", _("Waiting on the platform")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = frozenset(
    {
        ClaimStatus.NEW,
        ClaimStatus.OPEN,
        ClaimStatus.WAITING_ON_CUSTOMER,
        ClaimStatus.WAITING_ON_PLATFORM,
    }
)


class PaymentChannel(models.TextChoices):
    ALIPAY = "alipay", _("Alipay")
    WECHAT = "wechat", _("WeChat Pay")
    BANK_CARD = "bank_card", _("Bank card")
    BALANCE = "balance", _("Platform balance")
    OTHER = "other", _("Other")


class DesiredOutcome(models.TextChoices):
    REFUND = "refund", _("Refund")
    REISSUE = "reissue", _("Re-issue the goods")
    COMPENSATION = "compensation", _("Compensation")
    FREEZE_MERCHANT = "freeze_merchant", _("Freeze the merchant's account")
    OTHER = "other", _("Other")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    IN_APP = "in_app", _("Messages on this site")


class Priority(models.IntegerChoices):
    P1 = 1, "P1"
    P2 = 2, "P2"
    P3 = 3, "P3"
    P4 = 4, "P4"


class PlatformClaimPolicy(models.Model):
    """A platform's published claim rule, e.g. "failed top-ups must be reported within 24 hours".

    ``problem_type`` empty means the rule applies to every problem type of the platform. A claim filed after
    ``report_within`` is accepted and flagged as late for the agent, never refused.
    """

    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), on_delete=models.CASCADE, related_name="claim_policies"
    )
    problem_type = models.ForeignKey(
        ProblemType, verbose_name=_("problem type"), on_delete=models.CASCADE, null=True, blank=True
    )
    report_within = models.DurationField(_("report within"), null=True, blank=True)
    resolution_promise = models.DurationField(
        _("promised resolution time"), null=True, blank=True, help_text=_("What the platform promises.")
    )
    rule_zh = models.CharField(_("rule (Chinese)"), max_length=200, blank=True)
    rule_en = models.CharField(_("rule (English)"), max_length=240, blank=True)

    class Meta:
        verbose_name = _("platform claim rule")
        verbose_name_plural = _("platform claim rules")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "problem_type"], name="claim_policy_unique_type", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return self.rule or f"{self.platform_id}/{self.problem_type_id}"

    @property
    def rule(self) -> str:
        return self.rule_en if (get_language() or "").startswith("en") else self.rule_zh


class Claim(models.Model):
    reference = models.CharField(_("reference"), max_length=24, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="claims"
    )
    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT)
    problem_type = models.ForeignKey(ProblemType, verbose_name=_("problem type"), on_delete=models.PROTECT)
    subject = models.CharField(_("subject"), max_length=200)

    # The order, as the customer states it.
    order_number = models.CharField(_("order number"), max_length=64)
    product = models.CharField(_("product"), max_length=120)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    payment_channel = models.CharField(_("payment channel"), max_length=16, choices=PaymentChannel.choices)
    paid_at = models.DateTimeField(_("payment time"))
    transaction_id = models.CharField(_("transaction id"), max_length=64, blank=True)
    description = models.TextField(_("what happened"))
    access_lost_at = models.DateTimeField(_("when access was lost"), null=True, blank=True)
    desired_outcome = models.CharField(_("desired outcome"), max_length=20, choices=DesiredOutcome.choices)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    preferred_contact = models.CharField(
        _("preferred contact"), max_length=10, choices=ContactChannel.choices, default=ContactChannel.IN_APP
    )
    redacted_kinds = models.JSONField(_("masked sensitive data"), default=list, blank=True)

    status = models.CharField(
        _("status"), max_length=24, choices=ClaimStatus.choices, default=ClaimStatus.NEW
    )
    late_filed = models.BooleanField(_("filed late"), default=False)
    late_reason = models.CharField(_("why late"), max_length=240, blank=True)

    # Triage, routing and SLA (filled by the agent-queue and SLA issues; nullable until then).
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.P3)
    urgency_score = models.IntegerField(_("urgency score"), default=0)
    urgency_parts = models.JSONField(_("urgency parts"), default=dict, blank=True)
    is_high_value = models.BooleanField(_("high value"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_claims",
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)

    created_at = models.DateTimeField(_("filed"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open claim per customer, platform and order: a second one is led to the first.
            models.UniqueConstraint(
                fields=["customer", "platform", "order_number"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES)),
                name="claim_one_open_per_order",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="claim_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="claim_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ClaimStatus]), name="claim_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="claim_customer_idx"),
            models.Index(fields=["status", "priority", "-urgency_score"], name="claim_status_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_resolved(self) -> bool:
        return self.status == ClaimStatus.RESOLVED

    @property
    def is_finished(self) -> bool:
        return self.status in (ClaimStatus.CLOSED, ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN)


class EventKind(models.TextChoices):
    FILED = "filed", _("Claim filed")
    TRIAGED = "triaged", _("Triaged")
    ASSIGNED = "assigned", _("Assigned")
    CUSTOMER_REPLY = "customer_reply", _("Your message")
    AGENT_REPLY = "agent_reply", _("Reply from support")
    INTERNAL_NOTE = "internal_note", _("Internal note")
    STATUS_CHANGED = "status_changed", _("Status changed")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    SLA_PROMISE = "sla_promise", _("Our promise")
    CALLBACK_REQUESTED = "callback_requested", _("Call-back requested")
    CALLBACK_DONE = "callback_done", _("Call-back done")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RESOLVED_CONFIRMED = "resolved_confirmed", _("You confirmed it is resolved")
    REOPENED = "reopened", _("Reopened")
    RATED = "rated", _("Rated")


class ClaimEvent(models.Model):
    """One entry of a claim's timeline. Internal entries are never shown to the customer."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    is_internal = models.BooleanField(_("internal"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the customer sees of the actor: a staff member's display name or staff number, never an email.
    actor_label = models.CharField(_("by"), max_length=80, blank=True)
    body = models.TextField(_("message"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["claim", "created_at"], name="claim_event_claim_idx")]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.kind}"


class Evidence(models.Model):
    """A file the customer attached, stored under a random name outside the web root."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    storage_name = models.CharField(max_length=200, unique=True)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "sha256"], name="evidence_unique_per_claim"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
