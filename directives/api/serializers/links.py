"""Typed links between directives, read from one directive's side: "Amends" on the source, "Amended by"
on the target."""

from __future__ import annotations

from rest_framework import serializers

from ...choices import LinkKind
from ...models import Directive
from ..fields import StrictChoiceField, StrictPrimaryKeyRelatedField


class LinkedDirectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    authority = serializers.CharField(source="authority.name", read_only=True)


class DirectiveLinkSerializer(serializers.Serializer):
    """One link of the directive in the path (``selectors.directives.LinkRow``)."""

    id = serializers.IntegerField(source="link.pk", read_only=True)
    kind = serializers.ChoiceField(
        source="link.kind",
        choices=LinkKind.choices,
        read_only=True,
        help_text="The link's type, read from its source: amends, supersedes, responds_to, relates_to",
    )
    direction = serializers.SerializerMethodField(
        help_text='"outgoing": this directive is the source ("Amends"); "incoming": the target ("Amended by")'
    )
    label = serializers.CharField(  # type: ignore[assignment]  # a field named like Field.label
        read_only=True, help_text='As this directive\'s page words it: "Amended by"'
    )
    directive = LinkedDirectiveSerializer(source="other", read_only=True)
    created_at = serializers.DateTimeField(source="link.created_at", read_only=True)

    def get_direction(self, row: object) -> str:
        return "outgoing" if getattr(row, "outgoing", False) else "incoming"


class LinkInput(serializers.Serializer):
    kind = StrictChoiceField(choices=LinkKind.choices, help_text="This directive amends / supersedes / ...")
    target = StrictPrimaryKeyRelatedField(
        queryset=Directive.objects.all(), help_text="The other directive's id"
    )
