"""Claims, their timeline and evidence; teams, routing rules, macros and tags; SLA policies and crossings;
call-backs and their attempts."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Concat, Least, Lower, Upper
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
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
    RECOVER_ACCOUNT = "recover_account", _("Recover my account")
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


# Claims without an SLA due time sort after every claim that has one (a fixed, immutable far future).
NO_DUE_TIME = datetime(9999, 1, 1, tzinfo=UTC)

# An open claim's SLA clock runs: not paused, and a due time set (a first response not given yet, a next
# response, the resolution). Every claim breached at any moment is one of these, so the supervisor's figures
# count breaches as "running" (a dimension of the kept OpenClaimTally) minus "running and not yet due" (a
# short range of claim_running_clock_idx). The triggers of migration 0016 compute the same condition from
# the row; tests/tickets/test_supervisor_figures.py holds them to it.
CLOCK_RUNNING = Q(sla_paused_at__isnull=True, queue_due_at__lt=NO_DUE_TIME)
# A warning moment set without any due time (the SLA clock never writes one, but the data may hold one): at
# risk once the moment passes, and outside CLOCK_RUNNING, so the figures count these from their own index.
WARNED_WITHOUT_DUE = Q(sla_paused_at__isnull=True, queue_due_at__gte=NO_DUE_TIME) & (
    Q(first_responded_at__isnull=True, first_response_warn_at__isnull=False)
    | Q(next_response_warn_at__isnull=False)
    | Q(resolution_warn_at__isnull=False)
)


class Team(models.Model):
    """A group of agents working one queue. Routing rules send claims to teams; agents see their teams'
    claims.

    One team is the general team (unmatched claims go there), one the senior team (high-value claims and
    account theft, unless a routing rule says otherwise).
    """

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("code"), max_length=40, unique=True)
    is_general = models.BooleanField(_("general team"), default=False)
    is_senior = models.BooleanField(_("senior team"), default=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="teams", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_general"], condition=Q(is_general=True), name="team_one_general"
            ),
            models.UniqueConstraint(
                fields=["is_senior"], condition=Q(is_senior=True), name="team_one_senior"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique")]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.user_id}"


class RoutingRule(models.Model):
    """Data, not code: the first active rule (by position) whose every set condition matches picks a team."""

    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), on_delete=models.CASCADE, null=True, blank=True
    )
    problem_type = models.ForeignKey(
        ProblemType, verbose_name=_("problem type"), on_delete=models.CASCADE, null=True, blank=True
    )
    min_amount = models.DecimalField(_("amount from"), max_digits=12, decimal_places=2, null=True, blank=True)
    max_amount = models.DecimalField(
        _("amount below"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    high_value = models.BooleanField(
        _("high-value claims only"),
        default=False,
        help_text=_("Matches claims at or over the high-value amount."),
    )
    language = models.CharField(_("language"), max_length=10, blank=True, help_text=_("e.g. zh-hans or en"))
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="rules")

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Macro(models.Model):
    """A canned reply; applying it can also set the claim's status and add tags."""

    name = models.CharField(_("name"), max_length=80)
    body = models.TextField(_("reply"))
    set_status = models.CharField(
        _("then set status"), max_length=24, blank=True, choices=ClaimStatus.choices
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("add tags"), blank=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: all teams."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def set_status_label(self) -> str:
        return str(dict(ClaimStatus.choices).get(self.set_status, "")) if self.set_status else ""


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
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True, related_name="claims"
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="claims")
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # The queue's sort key, kept by the database: ascending on every column, so a keyset cursor is one row
    # comparison that the partial index answers. The next due time is the earliest SLA target still running
    # (first response until there is one, next response, resolution), far future when there is none.
    queue_urgency = models.GeneratedField(
        expression=Value(0) - F("urgency_score"), output_field=models.IntegerField(), db_persist=True
    )
    queue_due_at = models.GeneratedField(
        expression=Least(
            Coalesce(
                Case(When(first_responded_at__isnull=True, then=F("first_response_due_at"))),
                Value(NO_DUE_TIME),
            ),
            Coalesce(F("next_response_due_at"), Value(NO_DUE_TIME)),
            Coalesce(F("resolution_due_at"), Value(NO_DUE_TIME)),
        ),
        output_field=models.DateTimeField(),
        db_persist=True,
    )
    # What the queue's search matches (trigram index on PostgreSQL): reference, order, phone, description.
    search_text = models.GeneratedField(
        expression=Lower(
            Concat(
                "reference",
                Value(" "),
                "order_number",
                Value(" "),
                "contact_phone",
                Value(" "),
                "description",
                output_field=models.TextField(),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )
    # SLA (tickets/sla/clock.py): the policy that set the due times, the 75 % warning moments, the
    # next-response clock (runs while the customer waits for an answer) and the pause.
    sla_policy = models.ForeignKey(
        "SlaPolicy", verbose_name=_("SLA policy"), on_delete=models.SET_NULL, null=True, blank=True
    )
    first_response_warn_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(_("next response due"), null=True, blank=True)
    next_response_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("SLA paused since"), null=True, blank=True)
    # When the sweep must look next lives in SlaCheck (a narrow side table): the sweep's every-minute
    # update never rewrites this wide, heavily indexed row.

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
            # The queue: open claims only, in queue order (a third of a million rows, not a million).
            models.Index(
                fields=["priority", "queue_urgency", "queue_due_at", "created_at", "id"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES)),
                name="claim_queue_idx",
            ),
            models.Index(
                fields=["team", "priority", "queue_urgency", "queue_due_at", "created_at", "id"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES)),
                name="claim_team_queue_idx",
            ),
            models.Index(
                fields=["assignee", "priority", "queue_urgency", "queue_due_at", "created_at", "id"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES)),
                name="claim_assignee_queue_idx",
            ),
            # The queue sorted by due time or by age (tickets.desk.queue.SORTS).
            models.Index(
                fields=["queue_due_at", "id"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES)),
                name="claim_queue_due_idx",
            ),
            models.Index(
                fields=["created_at", "id"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES)),
                name="claim_queue_age_idx",
            ),
            # The supervisor's "oldest unassigned": open, nobody on it, by age.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES), assignee__isnull=True),
                name="claim_unassigned_age_idx",
            ),
            # The supervisor's figures: the oldest unassigned claim of each team (one probe per team), and the
            # running SLA clocks by due time (breached = running minus not yet due; at risk is among the
            # latter), an index-only range scan on PostgreSQL.
            models.Index(
                fields=["team", "created_at"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES), assignee__isnull=True),
                name="claim_team_unassigned_age_idx",
            ),
            models.Index(
                fields=["queue_due_at"],
                include=[
                    "team",
                    "first_responded_at",
                    "first_response_warn_at",
                    "next_response_warn_at",
                    "resolution_warn_at",
                ],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES)) & CLOCK_RUNNING,
                name="claim_running_clock_idx",
            ),
            models.Index(
                fields=["team"],
                include=[
                    "first_responded_at",
                    "first_response_warn_at",
                    "next_response_warn_at",
                    "resolution_warn_at",
                ],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES)) & WARNED_WITHOUT_DUE,
                name="claim_warned_no_due_idx",
            ),
            # A search covers closed claims too, in queue order: a broad term ("仍未到账" matches nearly every
            # claim) walks these and stops after a page instead of sorting every match (tickets.desk.queue).
            models.Index(
                fields=["team", "priority", "queue_urgency", "queue_due_at", "created_at", "id"],
                name="claim_search_team_order_idx",
            ),
            models.Index(
                fields=["priority", "queue_urgency", "queue_due_at", "created_at", "id"],
                name="claim_search_order_idx",
            ),
            # Search by an exact order number (any case) or phone (tickets.queue.exact_identifier_condition).
            models.Index(Upper("order_number"), name="claim_order_number_upper_idx"),
            models.Index(
                fields=["contact_phone"], name="claim_contact_phone_idx", condition=~Q(contact_phone="")
            ),
            models.Index(fields=["first_response_due_at"], name="claim_first_due_idx"),
            models.Index(fields=["resolution_due_at"], name="claim_resolution_due_idx"),
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


class OpenClaimTally(models.Model):
    """Kept counts of the open claims by team, priority, assignee and whether an SLA clock runs
    (``CLOCK_RUNNING``), for the supervisor's figures (tickets.desk.queue.supervisor_figures).

    Database triggers on the claim table write it (migration 0016), in the same transaction as every insert,
    update and delete of a claim, whichever code path makes it (services, bulk updates, the sweep, the admin,
    Django's SET_NULL when a team or user goes): a change of one of those columns adds a -1 row for the old
    group and a +1 row for the new one. Rows are only ever inserted, so concurrent claim writes never wait on
    a shared counter row (nor deadlock on two); a group's count is the SUM of its rows. The
    ``tickets.claim_tally_compact`` beat task folds the rows into one per group, and
    ``tickets.claim_tally_recount`` checks them against a plain count (tickets.desk.tally).

    Team and assignee are plain ids, not foreign keys: a deleted team or user leaves rows that sum to zero
    until the next compaction."""

    team_id = models.BigIntegerField(null=True)
    priority = models.PositiveSmallIntegerField()
    assignee_id = models.BigIntegerField(null=True)
    clock_running = models.BooleanField()
    n = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.team_id}/{self.priority}/{self.assignee_id}/{self.clock_running}: {self.n:+d}"


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
    INFO_REQUESTED = "info_requested", _("More information requested")
    ESCALATED = "escalated", _("Escalated to a supervisor")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    TAGGED = "tagged", _("Tags changed")
    MERGED = "merged", _("Merged")
    PLATFORM_OUTCOME = "platform_outcome", _("Platform outcome")


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
    # SHA-256 of the file as the customer sent it: they can check it against their own copy.
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

    @property
    def is_ready(self) -> bool:
        """False while an uploaded image waits in quarantine to be rebuilt (helpdesk.uploads)."""
        return not self.storage_name.startswith("quarantine/")


# --- SLA -----------------------------------------------------------------------------------------------
class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("first response")
    NEXT_RESPONSE = "next_response", _("next response")
    RESOLUTION = "resolution", _("resolution")
    CALLBACK = "callback", _("call-back")


class SlaLevel(models.TextChoices):
    WARNING = "warning", _("at risk (75%)")
    BREACH = "breach", _("breached")


class SlaCalendar(models.TextChoices):
    ALWAYS = "always", _("7×24")
    OFFICE = "office", _("Working hours, mainland working days")


class SlaPolicy(models.Model):
    """Which promises apply to which claims. Data: supervisors edit it. The first active match by
    ``position`` wins; empty conditions match everything."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(pgettext_lazy("position in a list", "order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    platforms = models.ManyToManyField(Platform, verbose_name=_("platforms"), blank=True)
    problem_types = models.ManyToManyField(ProblemType, verbose_name=_("problem types"), blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True, help_text=_("e.g. [1, 2]"))
    min_amount = models.DecimalField(_("from amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    max_amount = models.DecimalField(
        _("below amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    high_value = models.BooleanField(_("high value"), null=True, blank=True, help_text=_("Empty: either."))
    first_response = models.DurationField(_("first response within"), null=True, blank=True)
    next_response = models.DurationField(_("next response within"), null=True, blank=True)
    resolution = models.DurationField(_("resolution within"), null=True, blank=True)
    callback = models.DurationField(_("call-back within"), null=True, blank=True)
    calendar = models.CharField(_("calendar"), max_length=10, choices=SlaCalendar.choices, default="always")
    day_start = models.TimeField(_("working day starts"), default="09:00")
    day_end = models.TimeField(_("working day ends"), default="18:00")

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(day_end__gt=models.F("day_start")), name="sla_day_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SlaCrossing(models.Model):
    """A claim reached 75 % of a target or passed it. Recorded once per claim, target, level and due time
    (a next-response clock restarts with each customer message, so it can cross again later)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="sla_crossings")
    target = models.CharField(max_length=20, choices=SlaTarget.choices)
    level = models.CharField(max_length=10, choices=SlaLevel.choices)
    due_at = models.DateTimeField()
    crossed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("SLA crossing")
        verbose_name_plural = _("SLA crossings")
        constraints = [
            models.UniqueConstraint(fields=["claim", "target", "level", "due_at"], name="sla_crossing_once"),
        ]
        indexes = [models.Index(fields=["target", "level", "crossed_at"], name="sla_crossing_report_idx")]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.target} {self.level}"


class SlaCheck(models.Model):
    """When the SLA sweep must next look at a claim: the earliest threshold (warning or due time) of its
    running clocks that the sweep has not passed yet. A row exists only while a clock runs (open, not
    paused, a target set); tickets.sla.clock.sla_schedule keeps it, the sweep moves it on. Kept apart
    from the claim so that the sweep's every-minute update touches two narrow indexes, not the claim's
    dozen (issue 17)."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, primary_key=True, related_name="sla_check")
    next_check_at = models.DateTimeField()

    class Meta:
        verbose_name = _("SLA check")
        verbose_name_plural = _("SLA checks")
        indexes = [models.Index(fields=["next_check_at"], name="sla_check_due_idx")]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.next_check_at:%Y-%m-%d %H:%M}"


# --- Call-backs ------------------------------------------------------------------------------------------
class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for our call")
    DONE = "done", _("Done")
    UNREACHED = "unreached", _("We could not reach you")
    CANCELLED = "cancelled", _("Cancelled")


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    CALL_LATER = "call_later", _("Asked to call back later")


class Callback(models.Model):
    """A promise to phone the customer, with its own due time, owner and attempts.

    ``code`` is said by the agent on the call and shown on the customer's claim page: a call without it,
    or from another number than the platform's published call-back line, is not us."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="callbacks")
    phone = models.CharField(_("phone number"), max_length=32)
    window_start = models.DateTimeField(_("preferred from"), null=True, blank=True)
    window_end = models.DateTimeField(_("preferred until"), null=True, blank=True)
    reason = models.CharField(_("why"), max_length=20)  # customer, high_value, breach, agent
    due_at = models.DateTimeField(_("call by"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    code = models.CharField(_("verification code"), max_length=4)
    status = models.CharField(_("status"), max_length=10, choices=CallbackStatus.choices, default="pending")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    result = models.TextField(_("result"), blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    # Set by tickets.callbacks.selectors.with_caller_numbers: the platform's published call-back line
    # ("" = none).
    caller_number: str = ""

    class Meta:
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")
        ordering = ["due_at", "id"]
        constraints = [
            # One pending call-back per claim: asking twice changes nothing.
            models.UniqueConstraint(
                fields=["claim"], condition=Q(status="pending"), name="callback_one_pending"
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], name="callback_pending_due_idx", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.due_at:%Y-%m-%d %H:%M}"


class CallbackAttempt(models.Model):
    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="attempt_log")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallbackOutcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.callback_id} {self.outcome}"
