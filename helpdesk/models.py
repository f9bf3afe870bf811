"""Cross-cutting models: people and roles, the append-only audit trail, worker heartbeats."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from helpdesk.identifiers import canonical_email


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    DIRECTORY_ADMIN = "directory_admin", _("Directory admin")


STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.DIRECTORY_ADMIN})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=canonical_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("role", Role.SUPERVISOR)
        return self._create(email, password, **extra)

    def supervisors(self) -> models.QuerySet[User]:
        """Active supervisors: the people told of SLA breaches, overdue call-backs and low ratings."""
        return self.filter(role=Role.SUPERVISOR, is_active=True)

    def supervisor_ids(self) -> list[int]:
        return list(self.supervisors().values_list("pk", flat=True))

    def get_by_natural_key(self, username: str | None) -> User:
        # Every spelling that folds to the same canonical address finds the same account (and only
        # those: helpdesk.auth.axes_username locks on the account, so the two must agree).
        return self.get(email__iexact=canonical_email(username or ""))


class User(AbstractUser):
    """A person who signs in with an email address. ``is_staff`` only grants the Django admin site."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    phone = models.CharField(_("phone number"), max_length=32, blank=True, help_text=_("E.164 format."))
    # Set when the owner proved the number with an SMS code; only then may it sign in or get call-backs.
    phone_verified_at = models.DateTimeField(_("phone verified at"), null=True, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    staff_number = models.CharField(
        _("staff number"), max_length=16, blank=True, help_text=_("Shown to customers instead of a name.")
    )
    language = models.CharField(_("language"), max_length=10, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
            # One account per verified phone; unverified copies of the number may exist (a guest typed it).
            models.UniqueConstraint(
                fields=["phone"],
                condition=models.Q(phone_verified_at__isnull=False),
                name="user_verified_phone_unique",
            ),
        ]
        indexes = [models.Index(fields=["role"], name="user_role_idx")]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def has_verified_phone(self) -> bool:
        return bool(self.phone and self.phone_verified_at)

    @property
    def is_agent(self) -> bool:
        """Agents and supervisors work the claim queue."""
        return self.role in (Role.AGENT, Role.SUPERVISOR)

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_directory_admin(self) -> bool:
        return self.role == Role.DIRECTORY_ADMIN

    @property
    def public_name(self) -> str:
        """What a customer sees of a staff member: the staff number, never the email."""
        if self.is_staff_role:
            return self.staff_number or str(_("Support agent"))
        return self.display_name or self.email.split("@", 1)[0]


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit entries cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditImmutableError("Audit entries cannot be changed.")


class AuditImmutableError(Exception):
    pass


class AuditEntry(models.Model):
    """Who did what to which object, when, from where, with the values before and after.

    Append-only: the model refuses updates and deletes, and a database trigger (see the migration)
    refuses them for any client, including raw SQL from the application.
    """

    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        User, verbose_name=_("who"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=120, blank=True)
    source = models.CharField(_("from where"), max_length=120, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_idx"),
            models.Index(fields=["-at"], name="audit_at_idx"),
        ]
        default_permissions = ("view",)

    def __str__(self) -> str:
        who = self.actor_label or "-"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutableError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit entries cannot be deleted.")


class Heartbeat(models.Model):
    """Last time a background process (worker, beat) proved it runs; shown on /readyz."""

    name = models.CharField(max_length=40, primary_key=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} {self.seen_at:%H:%M:%S}"


class OutboxMessage(models.Model):
    """A promise to do something after commit (notify, call a webhook, schedule a call-back).

    Written in the same transaction as the change it follows, so a crash can never lose it; the relay
    (``helpdesk.tasks.outbox_relay``) hands it to the handler registered for its event and marks it done.
    Payloads speak in ids and event names, never in another app's models.
    """

    event = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    # Set when the same logical message may be written twice (two beats, a re-run sweep): the second
    # write is a no-op thanks to the unique constraint.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # The relay run handling it, and until when: an expired lease (a worker died) is taken again.
    locked_by = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [
            # The relay's only question: what is due and not yet done.
            models.Index(
                fields=["available_at", "id"],
                name="outbox_pending_idx",
                condition=models.Q(dispatched_at__isnull=True, failed_at__isnull=True),
            ),
            # Pruning: dispatched rows past retention (helpdesk/retention.py).
            models.Index(
                fields=["dispatched_at"],
                name="outbox_dispatched_idx",
                condition=models.Q(dispatched_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event}#{self.pk}"


class IdempotencyRecord(models.Model):
    """One Idempotency-Key used by one client on one endpoint, with the response it produced."""

    client = models.CharField(max_length=80)  # "user:<id>" or "anon:<salted hash>"
    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["client", "scope", "key"], name="idempotency_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


# --- Notifications -----------------------------------------------------------------------------------
class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class NotificationTemplate(models.Model):
    """What a notification says, per event, channel and language. Data: supervisors edit it in the admin.

    Subject and bodies are Django templates rendered with plain values only (the event's context dict),
    so an edited template cannot reach into models or call methods with side effects.
    """

    event = models.CharField(_("event"), max_length=64)
    channel = models.CharField(_("channel"), max_length=10, choices=NotificationChannel.choices)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    body_html = models.TextField(_("HTML body"), blank=True, help_text=_("Email only; optional."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "language"], name="notification_template_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} / {self.channel} / {self.language}"


class NotificationPreference(models.Model):
    """Which channels a person wants besides the in-app bell, which always gets everything."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="notification_preference")
    email = models.BooleanField(_("by email"), default=True)
    sms = models.BooleanField(_("by SMS"), default=False)
    # Consent (PIPL): when the person last turned each channel on or off (null: never chose; e-mail is on
    # by default for claim updates, SMS only by choice).
    email_consent_at = models.DateTimeField(_("e-mail choice made"), null=True, blank=True)
    sms_consent_at = models.DateTimeField(_("SMS choice made"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: email={self.email} sms={self.sms}"


class Notification(models.Model):
    """One entry under a person's bell."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The same logical notification (e.g. one SLA crossing) is recorded once per person.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 (NULLs never clash)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_idx"),
            models.Index(
                fields=["user"], name="notification_unread_idx", condition=models.Q(read_at__isnull=True)
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once_per_user"),
        ]

    def __str__(self) -> str:
        return self.title


# --- Webhooks to platforms -------------------------------------------------------------------------------
class WebhookEndpoint(models.Model):
    """A URL a platform gave us for events about its claims. ``platform_id`` is the directory's platform:
    core speaks in ids (see ARCHITECTURE.md), the directory shows and manages these through core services."""

    platform_id = models.PositiveBigIntegerField(_("platform"), db_index=True)
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list, help_text=_("Empty means every event."))
    secret = models.CharField(max_length=100)
    # During a rotation both secrets sign, so the platform can switch without losing a delivery.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.enabled and (not self.events or event in self.events)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery status", "Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Given up")


class WebhookDelivery(models.Model):
    """One message to one endpoint, with its attempts. Retries wait in the database, not in the broker."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    msg_id = models.CharField(max_length=64, unique=True)
    event = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_due_idx",
                condition=models.Q(status__in=["pending", "failed"]),
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_endpoint_log_idx"),
            # Pruning: finished deliveries past retention (helpdesk/retention.py).
            models.Index(
                fields=["created_at"],
                name="webhook_finished_idx",
                condition=models.Q(status__in=["succeeded", "dead"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class CalendarDay(models.Model):
    """An operator's correction to the mainland China holiday calendar.

    The ``chinese-calendar`` package is the default source, but it only knows the years the State Council
    has published; a new year's holidays and make-up working days (调休) can be entered here the day
    they are announced, and they win over the package.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (closed)")
        MAKEUP = "makeup", _("Make-up working day (open)")
        NORMAL = "normal", _("Ordinary day")

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


def default_platform_key_scopes() -> list[str]:
    return ["webhooks"]


class PlatformApiKey(models.Model):
    """A platform's own key for the platform API (webhook endpoints, events, claims, outcomes, as its
    scopes allow). Only a hash is stored; the key is shown once when issued. ``platform_id`` is the
    directory's platform (core speaks in ids)."""

    platform_id = models.PositiveBigIntegerField(_("platform"), db_index=True)
    name = models.CharField(_("name"), max_length=80, blank=True)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # What the key may do (helpdesk.api.platform_keys.SCOPES); keys issued before scopes existed manage
    # webhooks only, as they always did.
    scopes = models.JSONField(_("scopes"), default=default_platform_key_scopes, blank=True)

    class Meta:
        verbose_name = _("platform API key")
        verbose_name_plural = _("platform API keys")

    def __str__(self) -> str:
        return f"cdk_{self.prefix}…"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 of the key is stored; the key is shown once.

    It stops working when it expires, when it is revoked (deleted), when the password changes
    (``password_marker`` no longer matches), and for staff while 2FA is required unless it was issued
    after a verified TOTP code (``otp_verified``).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("starts with"), max_length=8)
    name = models.CharField(_("client"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    otp_verified = models.BooleanField(_("issued with a second factor"), default=False)
    password_marker = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_idx")]

    def __str__(self) -> str:
        return f"{self.prefix}…"
