"""The official-contacts directory. Issue #3 grows this module; the base models are here from the start
because claims (tickets) reference platforms and problem types."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from contacts import hours


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


class ProblemTypeQuerySet(models.QuerySet["ProblemType"]):
    def active(self) -> ProblemTypeQuerySet:
        """The problem types people may choose: a deactivated one stays on old claims but is never offered."""
        return self.filter(is_active=True)


class ProblemType(models.Model):
    """What went wrong (data, not code): channels say which they handle, claims say which they are."""

    slug = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.NORMAL
    )
    sort_order = models.PositiveSmallIntegerField(pgettext_lazy("position in a list", "order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ProblemTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem type")
        verbose_name_plural = _("problem types")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class PlatformStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Platform(models.Model):
    """A card platform (卡盟) whose official channels the directory lists."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    legal_name = models.CharField(_("legal entity name"), max_length=120, blank=True)
    unified_social_credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    icp_licence = models.CharField(_("ICP licence number"), max_length=60, blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PlatformStatus.choices, default=PlatformStatus.ACTIVE
    )
    # Set only by approving a website proposal of two admins (the database checks, migration 0008).
    website = models.URLField(_("official website"), blank=True)
    website_proposal = models.ForeignKey(
        "DomainProposal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "name"], name="platform_status_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(website="") | models.Q(website_proposal__isnull=False),
                name="platform_website_approved",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from stdnum.cn import uscc
        from stdnum.exceptions import ValidationError as StdnumError

        if self.unified_social_credit_code:
            try:
                self.unified_social_credit_code = uscc.validate(self.unified_social_credit_code)
            except StdnumError:
                raise ValidationError(
                    {"unified_social_credit_code": _("This is not a valid unified social credit code.")}
                ) from None

    @property
    def is_active(self) -> bool:
        return self.status == PlatformStatus.ACTIVE


def platform_search_text(name: str, aliases: list[str], slug: str) -> str:
    """What platform search matches against: names, aliases and their pinyin (full and initials).

    Stored lower case without spaces, so "Xing Yun", "xingyun", "xy" and "星云" all find 星云卡盟.
    """
    from pypinyin import Style, lazy_pinyin

    parts: list[str] = []
    for term in [name, *aliases, slug]:
        compact = "".join(term.lower().split())
        if not compact:
            continue
        parts.append(compact)
        if any("\u4e00" <= ch <= "\u9fff" for ch in compact):
            parts.append("".join(lazy_pinyin(compact)))
            parts.append("".join(lazy_pinyin(compact, style=Style.FIRST_LETTER)))
    return " ".join(dict.fromkeys(parts))


class ProposalStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("proposal status", "Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DomainProposalKind(models.TextChoices):
    DOMAIN = "domain", _("Official domain")
    WEBSITE = "website", _("Official website")


class DomainProposal(models.Model):
    """A proposed official domain (canonical host) or website (canonical URL), waiting for a second admin.

    The database refuses a proposal that starts anything but pending, any change to what was proposed,
    a decision that changes again, and an approval by the proposer (migration 0008).
    """

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="domain_proposals")
    kind = models.CharField(_("kind"), max_length=8, choices=DomainProposalKind.choices)
    value = models.CharField(_("proposed value"), max_length=500)
    include_subdomains = models.BooleanField(_("subdomains count"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    # Null only for rows migrated from before the rule whose author the audit trail does not name: such a
    # proposal can never be approved (the constraint below), only rejected and proposed again.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("domain proposal")
        verbose_name_plural = _("domain proposals")
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["status", "proposed_at"], name="domainproposal_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | (
                    models.Q(proposed_by__isnull=False)
                    & models.Q(decided_by__isnull=False)
                    & models.Q(decided_at__isnull=False)
                    & ~models.Q(decided_by=models.F("proposed_by"))
                ),
                name="domainproposal_approved_by_second_admin",
            ),
            models.UniqueConstraint(
                fields=["kind", "value"],
                condition=models.Q(status="pending", kind="domain"),
                name="domainproposal_one_pending_per_domain",
            ),
            models.UniqueConstraint(
                fields=["platform"],
                condition=models.Q(status="pending", kind="website"),
                name="domainproposal_one_pending_website",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.value}"

    @property
    def is_pending(self) -> bool:
        return self.status == ProposalStatus.PENDING

    @property
    def fingerprint(self) -> str:
        """SHA-256 of exactly what the reviewer sees; the approve form carries it back."""
        import hashlib
        import json

        payload = [self.platform_id, self.kind, self.value, self.include_subdomains, self.proposed_by_id]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()

    @property
    def display_value(self) -> str:
        if self.kind != DomainProposalKind.DOMAIN:
            return self.value
        return _display_host(self.value)


def _display_host(host: str) -> str:
    import idna

    try:
        return str(idna.decode(host))
    except idna.IDNAError:
        return host


def _not_shared_hosting() -> models.Q:
    from contacts.ownership import SHARED_HOSTS

    condition = ~models.Q(domain__in=SHARED_HOSTS)
    for host in SHARED_HOSTS:
        condition &= ~models.Q(domain__endswith="." + host)
    return condition


class OfficialDomain(models.Model):
    """An official domain: stored canonical (IDNA/UTS-46 punycode, lower case), only ever as approved.

    Every row is an approved ``DomainProposal`` of two different directory admins with exactly these
    values; the database refuses anything else (migration 0008). Removing a row is immediate.
    """

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253, unique=True)
    registrable_domain = models.CharField(_("registrable domain"), max_length=253, db_index=True)
    # The label before the public suffix ("xingyunka" for kf.xingyunka.com.cn): the checker finds
    # brand+keyword and look-alike domains by it without loading every official domain.
    brand = models.CharField(_("brand label"), max_length=63, db_index=True, default="", editable=False)
    include_subdomains = models.BooleanField(_("subdomains count"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    approved_proposal = models.ForeignKey(
        DomainProposal, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("official domain")
        verbose_name_plural = _("official domains")
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_proposal__isnull=False)
                & models.Q(proposed_by__isnull=False)
                & models.Q(approved_by__isnull=False)
                & models.Q(approved_at__isnull=False)
                & ~models.Q(approved_by=models.F("proposed_by")),
                name="domain_approved_by_two_people",
            ),
            models.CheckConstraint(condition=_not_shared_hosting(), name="domain_not_shared_hosting"),
        ]

    def __str__(self) -> str:
        return f"*.{self.domain}" if self.include_subdomains else self.domain

    @property
    def display_domain(self) -> str:
        return _display_host(self.domain)


class ChannelKind(models.TextChoices):
    CLAIMS_HOTLINE = "claims_hotline", _("Claims hotline")
    EMERGENCY_LINE = "emergency_line", _("Emergency line")
    CUSTOMER_SERVICE_HOTLINE = "customer_service_hotline", _("Customer-service hotline")
    MEMBER_SERVICE = "member_service", _("Member service")
    CALLBACK_LINE = "callback_line", _("Call-back line")
    ONLINE_CHAT = "online_chat", _("Online chat")
    WEB_TICKET_FORM = "web_ticket_form", _("Web ticket form")
    EMAIL = "email", _("Email")
    OFFICIAL_APP = "official_app", _("Official app")
    WECHAT_OFFICIAL_ACCOUNT = "wechat_official_account", _("WeChat official account")
    SMS_SENDER = "sms_sender", _("SMS sender number")
    QQ = "qq", _("QQ")


PHONE_KINDS = frozenset(
    {
        ChannelKind.CLAIMS_HOTLINE,
        ChannelKind.EMERGENCY_LINE,
        ChannelKind.CUSTOMER_SERVICE_HOTLINE,
        ChannelKind.MEMBER_SERVICE,
        ChannelKind.CALLBACK_LINE,
    }
)
# Numbers that call customers: a call-back line calls people who asked for a call-back (and the agent
# says the claim's code). Every other number is one customers call, and may be marked "never calls you".
OUTBOUND_KINDS = frozenset({ChannelKind.CALLBACK_LINE})


def never_calls_you(kind: str, inbound_only: bool) -> bool:
    """Whether the directory says this number never calls anyone (a call "from" it is spoofed).

    One home for the rule: the checker, the platform page and the API all ask here. An outbound kind is
    never "never calls you", whatever its flag says."""
    return bool(inbound_only) and kind not in OUTBOUND_KINDS


class ChannelState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending approval")
    VERIFIED = "verified", _("Verified")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")
    SUSPENDED = "suspended", _("Suspended")
    RETIRED = "retired", _("Retired")


PUBLISHED_STATES = (ChannelState.VERIFIED, ChannelState.REVIEW_OVERDUE)
PUBLIC_STATES = (*PUBLISHED_STATES, ChannelState.RETIRED)


class HoursMode(models.TextChoices):
    ALWAYS = "always", _("7×24")
    WEEKLY = "weekly", _("Weekly hours")
    NONE = "none", _("No hours (written channel)")


class HolidayRule(models.TextChoices):
    FOLLOW_CALENDAR = "calendar", _("Closed on public holidays, open on make-up working days")
    IGNORE = "ignore", _("Same hours on holidays")


class ContactChannel(models.Model):
    """One official way to reach a platform. Published values change only through an approved proposal.

    The database refuses a published (verified or review-overdue) channel whose kind and value differ
    from its approved proposal, and a proposal approved by its own proposer (see migration 0004).
    """

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="channels")
    kind = models.CharField(_("kind"), max_length=32, choices=ChannelKind.choices)
    value = models.CharField(_("value as published"), max_length=300)
    canonical_value = models.CharField(_("canonical value"), max_length=300, db_index=True)
    label = models.CharField(_("label"), max_length=80, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    expected_response_time = models.DurationField(_("expected response time"), null=True, blank=True)
    problem_types = models.ManyToManyField(
        ProblemType, verbose_name=_("problem types handled"), related_name="channels", blank=True
    )
    inbound_only = models.BooleanField(
        _("inbound only"), default=False, help_text=_("This number never calls you.")
    )
    offers_callback = models.BooleanField(_("offers a call-back"), default=False)
    notes = models.TextField(_("notes for users"), blank=True)
    hours_mode = models.CharField(_("hours"), max_length=8, choices=HoursMode.choices, default=HoursMode.NONE)
    holiday_rule = models.CharField(
        _("holidays"), max_length=10, choices=HolidayRule.choices, default=HolidayRule.FOLLOW_CALENDAR
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(pgettext_lazy("position in a list", "order"), default=100)

    state = models.CharField(
        _("state"), max_length=16, choices=ChannelState.choices, default=ChannelState.DRAFT
    )
    approved_proposal = models.ForeignKey(
        "ChannelProposal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_due_at = models.DateTimeField(_("review due at"), null=True, blank=True)
    replacement = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    state_reason = models.TextField(_("reason"), blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Set by contacts.selectors.platform_page: the replacement, if users may still be pointed to it.
    public_replacement: ContactChannel | None = None

    class Meta:
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")
        ordering = ["platform", "sort_order", "id"]
        indexes = [
            models.Index(fields=["platform", "state"], name="channel_platform_state_idx"),
            models.Index(
                fields=["review_due_at"],
                name="channel_review_due_idx",
                condition=models.Q(state="verified"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state__in=["verified", "review_overdue"])
                | (
                    models.Q(approved_proposal__isnull=False)
                    & models.Q(verified_by__isnull=False)
                    & models.Q(approved_by__isnull=False)
                    & ~models.Q(approved_by=models.F("verified_by"))
                ),
                name="channel_published_needs_two_people",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="channel_validity_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(replacement=models.F("id")), name="channel_not_its_own_replacement"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform} · {self.get_kind_display()} {self.value}"

    @property
    def is_published(self) -> bool:
        return self.state in PUBLISHED_STATES

    @property
    def is_phone(self) -> bool:
        return self.kind in PHONE_KINDS

    @property
    def is_outbound(self) -> bool:
        """A number that calls customers (a call-back line), not one they call."""
        return self.kind in OUTBOUND_KINDS

    @property
    def never_calls_you(self) -> bool:
        return never_calls_you(self.kind, self.inbound_only)

    @property
    def schedule(self) -> hours.Schedule:
        """Uses the prefetched windows; selectors prefetch them for every list."""
        return hours.Schedule(
            mode=self.hours_mode,
            windows=tuple(hours.Window(w.weekday, w.start, w.end) for w in self.windows.all()),
            holiday_rule=self.holiday_rule,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )

    @property
    def is_written(self) -> bool:
        """Channels that take a message any time and answer later (and leave a record)."""
        return self.kind in (ChannelKind.EMAIL, ChannelKind.WEB_TICKET_FORM)


class ServiceWindow(models.Model):
    """A weekly opening window in Asia/Shanghai; ``end <= start`` runs past midnight into the next day."""

    channel = models.ForeignKey(ContactChannel, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=[(i, str(i)) for i in range(7)])
    start = models.TimeField(_("opens"))
    end = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("service window")
        verbose_name_plural = _("service windows")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="window_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class ChannelProposal(models.Model):
    """Proposed values for a channel (new or changed), waiting for a second directory admin.

    ``values`` is the full published form of the channel; ``fingerprint`` its SHA-256. Approval copies the
    fingerprint into ``approved_fingerprint``: the database refuses an approval by the proposer, an
    approval whose fingerprint differs, and any change to an approved proposal (migration 0004).
    """

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="proposals")
    channel = models.ForeignKey(ContactChannel, on_delete=models.PROTECT, related_name="proposals")
    values = models.JSONField(_("proposed values"))
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    approved_fingerprint = models.CharField(max_length=64, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("channel proposal")
        verbose_name_plural = _("channel proposals")
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["status", "proposed_at"], name="proposal_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | (
                    models.Q(decided_by__isnull=False)
                    & ~models.Q(decided_by=models.F("proposed_by"))
                    & models.Q(approved_fingerprint=models.F("fingerprint"))
                ),
                name="proposal_approved_by_second_admin",
            ),
            models.UniqueConstraint(
                fields=["channel"],
                condition=models.Q(status="pending"),
                name="proposal_one_pending_per_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.values.get('kind', '')} {self.values.get('value', '')}"

    @property
    def is_pending(self) -> bool:
        return self.status == ProposalStatus.PENDING


class EvidenceMethod(models.TextChoices):
    OFFICIAL_SITE = "official_site", _("Official-site snapshot or URL")
    LETTER = "letter", _("Letter from the platform")
    TEST_CALL = "test_call", _("Test call record")
    DNS_ICP = "dns_icp", _("DNS / ICP record match")
    APP_LISTING = "app_listing", _("Official app store listing")
    OTHER = "other", _("Other")


class ChannelEvidence(models.Model):
    """What proves a channel is the platform's. Files are stored privately like claim evidence."""

    channel = models.ForeignKey(ContactChannel, on_delete=models.PROTECT, related_name="evidence")
    proposal = models.ForeignKey(
        ChannelProposal, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    method = models.CharField(_("method"), max_length=20, choices=EvidenceMethod.choices)
    note = models.TextField(_("note"))
    url = models.URLField(_("source URL"), blank=True, max_length=500)
    file = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=80, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("captured by"), on_delete=models.PROTECT, related_name="+"
    )
    captured_at = models.DateTimeField(_("captured at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-captured_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} ({self.captured_at:%Y-%m-%d})"


class HistoryAction(models.TextChoices):
    PUBLISHED = "published", _("Published")
    CHANGED = "changed", _("Changed")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")
    REVIEWED = "reviewed", _("Re-verified")
    SUSPENDED = "suspended", _("Suspended")
    RETIRED = "retired", _("Retired")


class ChannelHistory(models.Model):
    """The public change history of a platform's channels: what changed and when, never who."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="history")
    channel = models.ForeignKey(ContactChannel, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=16, choices=HistoryAction.choices)
    kind = models.CharField(max_length=32, choices=ChannelKind.choices)
    old_value = models.CharField(max_length=300, blank=True)
    new_value = models.CharField(max_length=300, blank=True)
    replacement_value = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("change history entry")
        verbose_name_plural = _("change history")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["platform", "-at"], name="history_platform_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.action} {self.kind}"


class FoundWhere(models.TextChoices):
    SEARCH_AD = "search_ad", _("Search engine ad or result")
    FORUM = "forum", _("Forum or post")
    SMS = "sms", _("Text message (SMS)")
    CALL = "call", _("A call I received")
    CHAT_GROUP = "chat_group", _("Chat group (QQ / WeChat)")
    SOCIAL = "social", _("Social media or video site")
    WEBSITE = "website", _("Another website")
    OTHER = "other", _("Somewhere else")


class AskedFor(models.TextChoices):
    PASSWORD = "password", _("My password")
    SMS_CODE = "sms_code", _("An SMS verification code")
    TRANSFER = "transfer", _("A transfer or “refund” payment")
    REMOTE_APP = "remote_app", _("Installing a remote-control or screen-sharing app")
    CARD = "card", _("Bank card number or CVV")
    PERSONAL = "personal", _("ID card or personal details")
    NOTHING_YET = "nothing_yet", _("Nothing yet")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed fake")
    DISMISSED = "dismissed", _("Dismissed")
    MERGED = "merged", _("Merged")
    # Reports of a published channel or of something on an official domain: they never make the checker
    # say "reported" and never list the value as a fake; directory admins look at them (issue 11).
    DISPUTED = "disputed", _("Disputed: listed as official")


class ReportedValue(models.Model):
    """One reported number, link or account (by canonical value): the unit directory admins triage."""

    canonical_value = models.CharField(_("canonical value"), max_length=300, unique=True)
    kind = models.CharField(_("kind"), max_length=12)
    display_value = models.CharField(_("as first reported"), max_length=300)
    platform = models.ForeignKey(
        Platform,
        verbose_name=_("impersonated platform"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_values",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    first_reported_at = models.DateTimeField(default=timezone.now)
    last_reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        ordering = ["-last_reported_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-last_reported_at"], name="reported_status_last_idx"),
            models.Index(fields=["platform", "status"], name="reported_platform_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
                name="reported_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.display_value

    @property
    def is_confirmed(self) -> bool:
        return self.status == ReportStatus.CONFIRMED


class ScamReport(models.Model):
    """One user's report. The reporter is kept only as a keyed hash: enough to count distinct people."""

    target = models.ForeignKey(ReportedValue, on_delete=models.CASCADE, related_name="reports")
    value = models.CharField(_("number, link or account"), max_length=300)
    found_where = models.CharField(_("where you found it"), max_length=12, choices=FoundWhere.choices)
    asked_for = models.JSONField(_("what it asked for"), default=list, blank=True)
    platform = models.ForeignKey(
        Platform,
        verbose_name=_("platform it pretended to be"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    details = models.TextField(_("what happened"), blank=True)
    screenshot = models.CharField(max_length=200, blank=True)
    screenshot_type = models.CharField(max_length=80, blank=True)
    reporter_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("scam report")
        verbose_name_plural = _("scam reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target", "created_at"], name="scamreport_target_at_idx")]

    def __str__(self) -> str:
        return f"{self.value} ({self.created_at:%Y-%m-%d})"


class FormNonce(models.Model):
    """A public form's single-use token, recorded when the form is accepted: a second submission with the
    same token is refused. Rows older than the token's lifetime are pruned as new ones arrive."""

    nonce = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=20)
    used_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.purpose} {self.used_at:%Y-%m-%d %H:%M}"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Reports upheld")
    LIFTED = "lifted", _("Reports lifted")


class AppellantRole(models.TextChoices):
    OWNER = "owner", _("I own this number or address")
    COMPANY = "company", _("I work for the company or platform that uses it")
    OTHER = "other", _("Other")


class Appeal(models.Model):
    """The owner of a reported number, link or account asks directory admins to lift the reports."""

    value = models.CharField(_("reported number, link or account"), max_length=300)
    canonical_value = models.CharField(_("canonical value"), max_length=300, db_index=True)
    reported_value = models.ForeignKey(
        ReportedValue, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    appellant_name = models.CharField(_("your name or organisation"), max_length=120)
    appellant_role = models.CharField(_("who you are"), max_length=12, choices=AppellantRole.choices)
    contact = models.CharField(_("how we can reach you"), max_length=200)
    explanation = models.TextField(_("why the reports are wrong"))
    submitter_hash = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="appeal_status_at_idx")]

    def __str__(self) -> str:
        return f"{self.value} ({self.created_at:%Y-%m-%d})"


class DirectoryVersion(models.Model):
    """One row: bumped in the same transaction as every change a public page or the checker shows
    (contacts.versioning). Cached answers are keyed by it, so none outlives the change that made it stale."""

    number = models.BigIntegerField(default=0)
    # Part of cache keys too: a recreated database starts counting again, but never at the same moment.
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("directory version")
        verbose_name_plural = _("directory version")

    def __str__(self) -> str:
        return f"{self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
