from __future__ import annotations

from rest_framework import serializers


class SearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, allow_blank=False, trim_whitespace=True)
    platform = serializers.SlugField(max_length=60, required=False, allow_blank=True)


class SearchResultSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    platform = serializers.CharField(allow_null=True)
    problem_type = serializers.CharField(allow_null=True)
    url = serializers.CharField()
    score = serializers.FloatField()


class SearchOutputSerializer(serializers.Serializer):
    query = serializers.CharField()
    results = SearchResultSerializer(many=True)
