"""The search's query and its hits (``selectors.search``)."""

from __future__ import annotations

from rest_framework import serializers

from ...selectors.search import KINDS


class SearchQueryInput(serializers.Serializer):
    q = serializers.CharField(
        max_length=500,
        allow_blank=True,
        trim_whitespace=False,  # the limit is on what was sent (spaces are ignored by the search anyway)
        required=False,
        default="",
        help_text="The words to find",
    )
    page = serializers.IntegerField(min_value=1, max_value=99_999, required=False, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=100, required=False, default=20)


class SegmentSerializer(serializers.Serializer):
    text = serializers.CharField()
    marked = serializers.BooleanField(help_text="A word that matched the query")


class HitDirectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    title = serializers.CharField()


class HitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    id = serializers.IntegerField(
        source="object_id", help_text="The directive's, document's, task's or entry's id"
    )
    directive = HitDirectiveSerializer()
    title = serializers.CharField()
    passage = SegmentSerializer(many=True, help_text="The matching passage, its matching words marked")


class SearchResultsSerializer(serializers.Serializer):
    count = serializers.IntegerField(source="total")
    words = serializers.ListField(child=serializers.CharField(), help_text="The words searched for")
    results = HitSerializer(many=True, source="hits")
