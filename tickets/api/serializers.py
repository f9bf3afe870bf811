"""Input and output shapes of the claims API. Input serializers parse; services decide and write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from helpdesk.phones import normalize_personal_phone
from tickets.claims import selectors
from tickets.claims.forms import ACCESS_LOSS_TYPES, CURRENCIES, MAX_AMOUNT, clean_identifier
from tickets.models import Claim, ClaimEvent, ContactChannel, DesiredOutcome, Evidence, PaymentChannel


def _django_to_drf(func: Any, value: Any) -> Any:
    try:
        return func(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


class CachedSlugField(serializers.CharField):
    """A slug resolved through the per-process reference-data cache (no query per claim filed)."""

    default_error_messages = {"does_not_exist": _("There is no “{value}”.")}

    def __init__(self, *, lookup: Callable[[str], Any], **kwargs: Any) -> None:
        self.lookup = lookup
        super().__init__(max_length=60, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        slug = super().run_validation(data)
        found = self.lookup(slug)
        if found is None:
            self.fail("does_not_exist", value=slug)
        return found


class ClaimCreateSerializer(serializers.Serializer):
    platform = CachedSlugField(lookup=selectors.cached_platform, help_text=_("Platform slug, e.g. xingyun."))
    problem_type = CachedSlugField(
        lookup=selectors.cached_problem_type, help_text=_("Problem type slug, e.g. topup-not-credited.")
    )
    order_number = serializers.CharField(max_length=64)
    product = serializers.CharField(max_length=120)
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT
    )
    currency = serializers.ChoiceField(choices=CURRENCIES, default="CNY")
    payment_channel = serializers.ChoiceField(choices=PaymentChannel.choices)
    paid_at = serializers.DateTimeField()
    transaction_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    access_lost_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    description = serializers.CharField(min_length=20, max_length=5000)
    desired_outcome = serializers.ChoiceField(choices=DesiredOutcome.choices)
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    preferred_contact = serializers.ChoiceField(choices=ContactChannel.choices, default=ContactChannel.IN_APP)
    evidence = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=settings.EVIDENCE_MAX_FILES, write_only=True
    )

    def validate_order_number(self, value: str) -> str:
        return _django_to_drf(lambda v: clean_identifier(v, required=True), value)

    def validate_transaction_id(self, value: str) -> str:
        return _django_to_drf(lambda v: clean_identifier(v, required=False), value)

    def validate_contact_phone(self, value: str) -> str:
        return _django_to_drf(normalize_personal_phone, value)

    def validate_paid_at(self, value: Any) -> Any:
        if value > timezone.now() + timedelta(minutes=5):
            raise serializers.ValidationError(_("The payment time cannot be in the future."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("preferred_contact") in (ContactChannel.PHONE, ContactChannel.SMS) and not attrs.get(
            "contact_phone"
        ):
            raise serializers.ValidationError(
                {"contact_phone": [_("Enter a phone number so we can call or text you.")]}
            )
        if attrs["problem_type"].slug in ACCESS_LOSS_TYPES and not attrs.get("access_lost_at"):
            raise serializers.ValidationError(
                {"access_lost_at": [_("Tell us when you lost access to the account.")]}
            )
        return attrs


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    ready = serializers.BooleanField(
        source="is_ready",
        read_only=True,
        help_text="False while an image is being checked (409 on download).",
    )

    class Meta:
        model = Evidence
        fields = ["id", "original_name", "content_type", "size", "sha256", "created_at", "url", "ready"]
        read_only_fields = fields

    def get_url(self, obj: Evidence) -> str:
        return f"/api/v1/claims/{obj.claim.reference}/evidence/{obj.pk}/"


class ClaimEventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = ClaimEvent
        fields = ["id", "kind", "by", "body", "data", "created_at"]
        read_only_fields = fields

    def get_by(self, obj: ClaimEvent) -> str:
        return obj.actor_label


def _dt(value: Any) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


def _summary(claim: Claim) -> dict[str, Any]:
    return {
        "reference": claim.reference,
        "subject": claim.subject,
        "status": claim.status,
        "platform": claim.platform.slug,
        "problem_type": claim.problem_type.slug,
        "order_number": claim.order_number,
        "amount": f"{claim.amount:.2f}",
        "currency": claim.currency,
        "late_filed": claim.late_filed,
        "created_at": _dt(claim.created_at),
        "updated_at": _dt(claim.updated_at),
    }


class ClaimListSerializer(serializers.ModelSerializer):
    """Declared for validation of the shape and the OpenAPI schema; ``to_representation`` is written out by
    hand because building ModelSerializer fields costs more than the rest of filing a claim."""

    platform: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    problem_type: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "reference",
            "subject",
            "status",
            "platform",
            "problem_type",
            "order_number",
            "amount",
            "currency",
            "late_filed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Claim) -> dict[str, Any]:
        return _summary(instance)


class ClaimDetailSerializer(ClaimListSerializer):
    timeline = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    masked = serializers.ListField(source="redacted_kinds", child=serializers.CharField(), read_only=True)

    class Meta(ClaimListSerializer.Meta):
        fields = [
            *ClaimListSerializer.Meta.fields,
            "product",
            "payment_channel",
            "paid_at",
            "transaction_id",
            "access_lost_at",
            "description",
            "desired_outcome",
            "contact_phone",
            "preferred_contact",
            "masked",
            "first_response_due_at",
            "resolution_due_at",
            "resolved_at",
            "rating",
            "rating_comment",
            "timeline",
            "evidence",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Claim) -> dict[str, Any]:
        claim = instance
        return {
            **_summary(claim),
            "product": claim.product,
            "payment_channel": claim.payment_channel,
            "paid_at": _dt(claim.paid_at),
            "transaction_id": claim.transaction_id,
            "access_lost_at": _dt(claim.access_lost_at),
            "description": claim.description,
            "desired_outcome": claim.desired_outcome,
            "contact_phone": claim.contact_phone,
            "preferred_contact": claim.preferred_contact,
            "masked": list(claim.redacted_kinds),
            "first_response_due_at": _dt(claim.first_response_due_at),
            "resolution_due_at": _dt(claim.resolution_due_at),
            "resolved_at": _dt(claim.resolved_at),
            "rating": claim.rating,
            "rating_comment": claim.rating_comment,
            "timeline": self.get_timeline(claim),
            "evidence": self.get_evidence(claim),
        }

    def get_timeline(self, obj: Claim) -> list[dict[str, Any]]:
        events = self.context.get("events")
        if events is None:
            events = ClaimEvent.objects.filter(claim=obj, is_internal=False)
        return [
            {
                "id": event.pk,
                "kind": event.kind,
                "by": event.actor_label,
                "body": event.body,
                "data": event.data,
                "created_at": _dt(event.created_at),
            }
            for event in events
            if not event.is_internal
        ]

    def get_evidence(self, obj: Claim) -> list[dict[str, Any]]:
        rows = self.context.get("evidence")
        if rows is None:
            rows = list(Evidence.objects.filter(claim=obj))
        return [
            {
                "id": row.pk,
                "original_name": row.original_name,
                "content_type": row.content_type,
                "size": row.size,
                "sha256": row.sha256,
                "created_at": _dt(row.created_at),
                "url": f"/api/v1/claims/{obj.reference}/evidence/{row.pk}/",
                "ready": row.is_ready,
            }
            for row in rows
        ]


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EvidenceUploadSerializer(serializers.Serializer):
    # Files past the claim's room (EVIDENCE_MAX_FILES in all) come back in `rejected_evidence`, like any
    # other refused file: the request itself is not refused, so the schema sets no maxItems.
    evidence = serializers.ListField(child=serializers.FileField(), min_length=1)
