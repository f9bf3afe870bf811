"""What platforms tell ClaimDesk: events (order and top-up facts), the order facts they add up to, and the
outreaches ClaimDesk makes first after repeated failed top-ups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Platform


class EventType(models.TextChoices):
    TOPUP_FAILED = "topup.failed", _("Top-up failed")
    TOPUP_SUCCEEDED = "topup.succeeded", _("Top-up succeeded")
    ORDER_DELIVERED = "order.delivered", _("Order delivered")
    ORDER_REFUNDED = "order.refunded", _("Order refunded")
    ORDER_REISSUED = "order.reissued", _("Order re-issued")
    ACCOUNT_FROZEN = "account.frozen", _("Account frozen")
    ACCOUNT_UNFROZEN = "account.unfrozen", _("Account unfrozen")


class PlatformEvent(models.Model):
    """One event a platform sent, exactly once per platform and event id (the unique constraint is what
    makes a resent batch harmless). Written set-based by ``events_ingest``; ``matched_at`` is set by the
    matching task once the event's facts reached order facts, claims and outreach."""

    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT)
    event_id = models.CharField(_("event id"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=EventType.choices)
    occurred_at = models.DateTimeField(_("occurred"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    key_id = models.PositiveBigIntegerField(_("platform key"), null=True, blank=True)
    # The customer as the platform knows them (lower-cased email, E.164 phone); resolved to an account by
    # the matching task.
    customer_email = models.CharField(_("customer email"), max_length=254, blank=True)
    customer_phone = models.CharField(_("customer phone"), max_length=32, blank=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order_number = models.CharField(_("order number"), max_length=64, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    product = models.CharField(_("product"), max_length=120, blank=True)
    order_status = models.CharField(_("order status"), max_length=40, blank=True)
    paid_at = models.DateTimeField(_("payment time"), null=True, blank=True)
    merchant = models.CharField(_("merchant"), max_length=120, blank=True)
    matched_at = models.DateTimeField(_("matched"), null=True, blank=True)

    class Meta:
        verbose_name = _("platform event")
        verbose_name_plural = _("platform events")
        constraints = [
            models.UniqueConstraint(fields=["platform", "event_id"], name="platform_event_once"),
        ]
        indexes = [
            # The matching task's entry point: only events not matched yet.
            models.Index(
                fields=["received_at"], name="platform_event_unmatched_idx", condition=Q(matched_at=None)
            ),
            # Outreach: a customer's top-ups on a platform, by time.
            models.Index(
                fields=["platform", "customer", "type", "occurred_at"],
                name="platform_event_customer_idx",
                condition=Q(customer__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform_id}:{self.event_id}"


class OrderFact(models.Model):
    """What the platform confirms about one order: the latest event with the order wins. Claims find theirs
    by platform and order number, so facts that arrive before or after the claim attach the same way."""

    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT)
    order_number = models.CharField(_("order number"), max_length=64)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    product = models.CharField(_("product"), max_length=120, blank=True)
    status = models.CharField(_("order status"), max_length=40, blank=True)
    paid_at = models.DateTimeField(_("payment time"), null=True, blank=True)
    merchant = models.CharField(_("merchant"), max_length=120, blank=True)
    last_event_type = models.CharField(_("last event"), max_length=20, choices=EventType.choices)
    last_event_at = models.DateTimeField(_("last event time"))
    topup_failed_at = models.DateTimeField(_("top-up failed"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("order fact")
        verbose_name_plural = _("order facts")
        constraints = [
            models.UniqueConstraint(fields=["platform", "order_number"], name="order_fact_once"),
        ]
        indexes = [
            # Merchant complaint rate: a merchant's delivered orders over the last 30 days.
            models.Index(
                fields=["merchant", "delivered_at"],
                name="order_fact_merchant_idx",
                condition=~Q(merchant=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform_id}:{self.order_number}"

    @property
    def confirms_failed_paid_topup(self) -> bool:
        """The platform says the customer paid and the top-up failed: the strongest confirmation."""
        return self.topup_failed_at is not None and self.paid_at is not None and self.delivered_at is None


class Outreach(models.Model):
    """ClaimDesk reaching out first: the third failed top-up of a customer within the window.

    One per platform, customer and window: the window starts at the first failure counted, and the unique
    constraint is the last word when two workers decide at the same moment."""

    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="outreaches",
    )
    window_start = models.DateTimeField(_("window starts"))
    window_end = models.DateTimeField(_("window ends"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("proactive outreach")
        verbose_name_plural = _("proactive outreaches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "customer", "window_start"], name="outreach_once_per_window"
            ),
        ]
        indexes = [models.Index(fields=["customer", "-created_at"], name="outreach_customer_idx")]

    def __str__(self) -> str:
        return f"{self.platform_id}:{self.customer_id}@{self.window_start:%Y-%m-%d %H:%M}"


class OutreachOrder(models.Model):
    """A failed order the outreach is about (the pre-filled claim carries them)."""

    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="orders")
    order_number = models.CharField(_("order number"), max_length=64)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    product = models.CharField(_("product"), max_length=120, blank=True)
    failed_at = models.DateTimeField(_("failed"))

    class Meta:
        verbose_name = _("outreach order")
        verbose_name_plural = _("outreach orders")
        ordering = ["failed_at", "id"]
        indexes = [models.Index(fields=["order_number"], name="outreach_order_number_idx")]

    def __str__(self) -> str:
        return self.order_number
