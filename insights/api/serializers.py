from __future__ import annotations

from rest_framework import serializers


class ProblemTypeShareSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    claims = serializers.IntegerField()


class ScorecardResponseSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class ScorecardSerializer(serializers.Serializer):
    """A figure is ``null`` where fewer than ``minimum_claims`` claims back it."""

    platform = serializers.CharField()
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    minimum_claims = serializers.IntegerField()
    claims = serializers.IntegerField(allow_null=True)
    median_first_response_hours = serializers.FloatField(allow_null=True)
    resolved_within_promise_percent = serializers.IntegerField(allow_null=True)
    csat = serializers.FloatField(allow_null=True, help_text="Average rating out of 5.")
    top_problem_types = ProblemTypeShareSerializer(many=True)
    computed_at = serializers.DateTimeField(allow_null=True)
    responses = ScorecardResponseSerializer(many=True)


class DataExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class ScorecardResponseIn(serializers.Serializer):
    body = serializers.CharField(max_length=2000)
