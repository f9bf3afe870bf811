"""Input and output serializers of the directory API. Output serializers read prefetched data only."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts import hours
from contacts.models import (
    ChannelKind,
    ChannelProposal,
    ContactChannel,
    DomainProposal,
    DomainProposalKind,
    EvidenceMethod,
    HolidayRule,
    HoursMode,
    OfficialDomain,
    Platform,
)
from contacts.values import LANGUAGES, ChannelDraft


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = OfficialDomain
        fields = ["domain", "include_subdomains"]


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:00"})
class HourMinuteField(serializers.TimeField):
    """A wall-clock time as ``HH:MM``, both ways (the schema's ``format: time`` would promise seconds)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class WindowSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text=_("Monday = 0 … Sunday = 6."))
    start = HourMinuteField()
    end = HourMinuteField(help_text=_("Not after start: the window runs past midnight."))


class HoursSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=HoursMode.choices)
    windows = WindowSerializer(many=True)
    holiday_rule = serializers.ChoiceField(choices=HolidayRule.choices)
    description = serializers.ListField(child=serializers.CharField())


class ReplacementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ChannelKind.choices)
    value = serializers.CharField()


class ChannelSerializer(serializers.ModelSerializer):
    platform: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    problem_types = serializers.SerializerMethodField()
    expected_response_minutes = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField()
    open_now = serializers.SerializerMethodField()
    next_open_at = serializers.SerializerMethodField()
    replacement = serializers.SerializerMethodField()

    class Meta:
        model = ContactChannel
        fields = [
            "id",
            "platform",
            "kind",
            "value",
            "canonical_value",
            "label",
            "state",
            "languages",
            "expected_response_minutes",
            "problem_types",
            "inbound_only",
            "offers_callback",
            "notes",
            "hours",
            "open_now",
            "next_open_at",
            "verified_at",
            "review_due_at",
            "replacement",
        ]
        read_only_fields = fields

    def _now(self) -> Any:
        # One moment for the whole list, so every channel is judged at the same instant.
        if not hasattr(self, "_at"):
            self._at = self.context.get("now") or timezone.now()
        return self._at

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_problem_types(self, obj: ContactChannel) -> list[str]:
        return [pt.slug for pt in obj.problem_types.all()]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_expected_response_minutes(self, obj: ContactChannel) -> int | None:
        value = obj.expected_response_time
        return int(value.total_seconds() // 60) if value is not None else None

    @extend_schema_field(HoursSerializer)
    def get_hours(self, obj: ContactChannel) -> dict[str, Any]:
        schedule = obj.schedule
        return {
            "mode": schedule.mode,
            "windows": [
                {"weekday": w.weekday, "start": f"{w.start:%H:%M}", "end": f"{w.end:%H:%M}"}
                for w in schedule.windows
            ],
            "holiday_rule": schedule.holiday_rule,
            "description": hours.describe(schedule),
        }

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_open_now(self, obj: ContactChannel) -> bool | None:
        return hours.open_now(obj.schedule, self._now())

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_open_at(self, obj: ContactChannel) -> str | None:
        when = hours.next_open_at(obj.schedule, self._now())
        return when.isoformat() if when else None

    @extend_schema_field(ReplacementSerializer(allow_null=True))
    def get_replacement(self, obj: ContactChannel) -> dict[str, Any] | None:
        r = obj.replacement
        return {"id": r.pk, "kind": r.kind, "value": r.value} if r is not None else None


class PlatformListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Platform
        fields = ["slug", "name", "aliases", "status"]
        read_only_fields = fields


class PlatformDetailSerializer(serializers.ModelSerializer):
    domains = DomainSerializer(many=True, read_only=True)
    channels = serializers.SerializerMethodField()

    class Meta:
        model = Platform
        fields = [
            "slug",
            "name",
            "aliases",
            "status",
            "legal_name",
            "unified_social_credit_code",
            "icp_licence",
            "website",
            "domains",
            "channels",
        ]
        read_only_fields = fields

    @extend_schema_field(ChannelSerializer(many=True))
    def get_channels(self, obj: Platform) -> Any:
        return ChannelSerializer(getattr(obj, "public_channels", []), many=True, context=self.context).data


class DirectoryEvidenceInputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=EvidenceMethod.choices)
    note = serializers.CharField(max_length=2000)
    url = serializers.URLField(required=False, allow_blank=True, max_length=500)


class DirectoryEvidenceUploadSerializer(DirectoryEvidenceInputSerializer):
    file = serializers.FileField(required=False)


class ProposalInputSerializer(serializers.Serializer):
    platform = serializers.SlugField(help_text=_("The platform's slug."))
    channel = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("An existing channel to change; omit for a new channel.")
    )
    kind = serializers.ChoiceField(choices=ChannelKind.choices)
    value = serializers.CharField(max_length=300)
    label = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")  # type: ignore[assignment]
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=list(LANGUAGES)), required=False, default=["zh"]
    )
    expected_response_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    problem_types = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    inbound_only = serializers.BooleanField(required=False, default=False)
    offers_callback = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    hours_mode = serializers.ChoiceField(choices=HoursMode.choices, default=HoursMode.NONE)
    windows = WindowSerializer(many=True, required=False, default=list)
    holiday_rule = serializers.ChoiceField(choices=HolidayRule.choices, default=HolidayRule.FOLLOW_CALENDAR)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    evidence = DirectoryEvidenceInputSerializer(many=True, required=False, default=list)

    def draft(self) -> ChannelDraft:
        data = self.validated_data
        return ChannelDraft(
            kind=data["kind"],
            value=data["value"],
            label=data["label"],
            languages=data["languages"],
            expected_response_minutes=data.get("expected_response_minutes"),
            problem_types=data["problem_types"],
            inbound_only=data["inbound_only"],
            offers_callback=data["offers_callback"],
            notes=data["notes"],
            hours_mode=data["hours_mode"],
            windows=[hours.Window(w["weekday"], w["start"], w["end"]) for w in data["windows"]],
            holiday_rule=data["holiday_rule"],
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
        )


class ProposalSerializer(serializers.ModelSerializer):
    platform: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    proposed_by = serializers.CharField(source="proposed_by.public_name", read_only=True)
    decided_by = serializers.CharField(source="decided_by.public_name", read_only=True, allow_null=True)

    class Meta:
        model = ChannelProposal
        fields = [
            "id",
            "platform",
            "channel",
            "status",
            "values",
            "fingerprint",
            "proposed_by",
            "proposed_at",
            "note",
            "decided_by",
            "decided_at",
            "reason",
        ]
        read_only_fields = fields


class DomainProposalSerializer(serializers.ModelSerializer):
    platform: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    fingerprint = serializers.CharField(read_only=True, help_text=_("Send it back to approve exactly this."))
    proposed_by = serializers.CharField(source="proposed_by.public_name", read_only=True, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.public_name", read_only=True, allow_null=True)

    class Meta:
        model = DomainProposal
        fields = [
            "id",
            "platform",
            "kind",
            "value",
            "include_subdomains",
            "status",
            "fingerprint",
            "proposed_by",
            "proposed_at",
            "note",
            "decided_by",
            "decided_at",
            "reason",
        ]
        read_only_fields = fields


class DomainProposalInputSerializer(serializers.Serializer):
    platform = serializers.SlugField(help_text=_("The platform's slug."))
    kind = serializers.ChoiceField(choices=DomainProposalKind.choices)
    value = serializers.CharField(
        max_length=500, help_text=_("A domain (kind domain) or a web address (kind website).")
    )
    include_subdomains = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    fingerprint = serializers.CharField(
        max_length=64,
        help_text=_("The fingerprint of the proposal you reviewed: approval binds these values."),
    )


class DirectoryReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RetireSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    replacement = serializers.IntegerField(required=False, allow_null=True)


class DirectoryEvidenceCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sha256 = serializers.CharField()


# --- Checker (documentation of the response; the body is built by contacts.checker.present) ----------
class CheckPlatformRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CheckChannelRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=ChannelKind.choices,
        help_text=_(
            "The channel's kind; callback_line is a number that calls customers who asked for a call-back."
        ),
    )


class CheckReplacementSerializer(CheckChannelRefSerializer):
    value = serializers.CharField()
    canonical = serializers.CharField()


class CheckSimilarSerializer(serializers.Serializer):
    value = serializers.CharField()
    canonical = serializers.CharField()
    platform = CheckPlatformRefSerializer()
    channel = CheckChannelRefSerializer(allow_null=True)


class CheckReportsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="different people who reported it")
    first_reported_at = serializers.DateTimeField(allow_null=True)
    last_reported_at = serializers.DateTimeField(allow_null=True)
    confirmed = serializers.BooleanField(help_text="directory admins confirmed it is a fake")


class CheckResultSerializer(serializers.Serializer):
    input = serializers.CharField()
    kind = serializers.CharField(help_text="phone, url, email, wechat or qq")
    canonical = serializers.CharField()
    verdict = serializers.ChoiceField(
        choices=["official", "retired", "suspended", "lookalike", "reported", "unknown"]
    )
    platform = CheckPlatformRefSerializer(allow_null=True)
    channel = CheckChannelRefSerializer(allow_null=True)
    replacement = CheckReplacementSerializer(allow_null=True)
    similar_to = CheckSimilarSerializer(allow_null=True)
    reason = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())
    extension = serializers.CharField(allow_null=True)
    ivr = serializers.CharField(allow_null=True)
    reports = CheckReportsSerializer(
        allow_null=True, help_text="with a `reported` verdict: how many people reported it and when"
    )


class CheckResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    results = CheckResultSerializer(many=True)
