"""Shapes of the platform API and the outreach list (the OpenAPI schema is built from these)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from integrations.models import EventType, OrderFact, Outreach
from integrations.services import Outcome
from tickets.models import Claim


# --- events (documentation of the shape; items are checked by integrations.validation) ------------------
class EventCustomerIn(serializers.Serializer):
    email = serializers.EmailField(required=False)
    phone = serializers.CharField(required=False, max_length=32)


class EventOrderIn(serializers.Serializer):
    number = serializers.CharField(max_length=64)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField(max_length=3)
    product = serializers.CharField(max_length=120)
    status = serializers.CharField(max_length=40)
    paid_at = serializers.DateTimeField()
    merchant = serializers.CharField(max_length=120, required=False)


class EventIn(serializers.Serializer):
    id = serializers.CharField(max_length=100, help_text="The platform's own event id (idempotency key).")
    type = serializers.ChoiceField(choices=EventType.choices)
    occurred_at = serializers.DateTimeField()
    customer = EventCustomerIn()
    order = EventOrderIn(required=False)


class ItemErrorOut(serializers.Serializer):
    index = serializers.IntegerField()
    error = serializers.DictField()


class EventsAcceptedOut(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    errors = ItemErrorOut(many=True)  # type: ignore[assignment]  # a field named like the property


# --- claims ----------------------------------------------------------------------------------------------
class PlatformFactOut(serializers.ModelSerializer):
    class Meta:
        model = OrderFact
        fields = [
            "amount",
            "currency",
            "product",
            "status",
            "paid_at",
            "merchant",
            "last_event_type",
            "last_event_at",
            "topup_failed_at",
            "delivered_at",
        ]


class PlatformClaimOut(serializers.ModelSerializer):
    problem_type = serializers.CharField(source="problem_type.slug")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    platform_facts = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        # Nothing about the customer: no name, email, phone or description.
        fields = [
            "reference",
            "order_number",
            "problem_type",
            "amount",
            "currency",
            "status",
            "created_at",
            "first_response_due_at",
            "resolution_due_at",
            "platform_facts",
        ]

    @extend_schema_field(PlatformFactOut(allow_null=True))
    def get_platform_facts(self, claim: Claim) -> dict[str, Any] | None:
        fact = getattr(claim, "platform_fact", None)
        return dict(PlatformFactOut(fact).data) if fact is not None else None


class PlatformClaimPageOut(serializers.Serializer):
    results = PlatformClaimOut(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True)


class OutcomeIn(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[(o, o) for o in Outcome.ALL])
    message = serializers.CharField(max_length=2000)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)


# --- outreach --------------------------------------------------------------------------------------------
class OutreachOrderOut(serializers.Serializer):
    number = serializers.CharField(source="order_number")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    failed_at = serializers.DateTimeField()


class OutreachOut(serializers.ModelSerializer):
    platform = serializers.SerializerMethodField()
    at = serializers.DateTimeField(source="created_at")
    orders = OutreachOrderOut(many=True)
    claim_url = serializers.SerializerMethodField()

    class Meta:
        model = Outreach
        fields = ["id", "platform", "at", "window_start", "window_end", "orders", "claim_url"]

    @extend_schema_field(
        {"type": "object", "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}}
    )
    def get_platform(self, outreach: Outreach) -> dict[str, str]:
        return {"slug": outreach.platform.slug, "name": outreach.platform.name}

    def get_claim_url(self, outreach: Outreach) -> str:
        from integrations.services import prefilled_claim_url

        return prefilled_claim_url(
            outreach,
            list(outreach.orders.all()),
            language=self.context.get("language", ""),
            problem_type_id=self.context.get("problem_type_id"),
        )
