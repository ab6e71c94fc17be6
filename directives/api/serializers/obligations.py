"""Obligations: their read shape and the inputs of their actions."""

from __future__ import annotations

from rest_framework import serializers

from ...choices import DeadlineRule
from ...models import Directive, Obligation
from ..fields import (
    MAX_BIGINT,
    AwareDateTimeField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
)
from .base import DocketModelSerializer, VersionedInput
from .conventions import ConventionOverride

# --- Obligations --------------------------------------------------------------------------------


class ObligationSerializer(DocketModelSerializer):
    class Meta:
        model = Obligation
        fields = [
            "id",
            "directive",
            "title",
            "description",
            "deadline_rule",
            "deadline_amount",
            "deadline_at",
            "due_at",
            "due_rule_text",
            "convention",
            "due_convention",
            "due_explanation",
            "status",
            "met_at",
            "escalation_level",
            "next_escalation_at",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class NewObligationInput(serializers.Serializer):
    """An obligation of a directive being logged (its due instant is computed from the receipt)."""

    title = StrictCharField(max_length=300)
    description = StrictCharField(max_length=20_000, required=False, allow_blank=True, default="")
    deadline_rule = StrictChoiceField(choices=DeadlineRule.choices)
    deadline_amount = StrictIntegerField(
        min_value=0, max_value=100_000, required=False, allow_null=True, default=None
    )
    deadline_at = AwareDateTimeField(required=False, allow_null=True, default=None)
    convention = ConventionOverride(
        required=False,
        allow_null=True,
        default=None,
        help_text="Overrides the authority's counting convention for this obligation: "
        '{"preset": "frcp_6a"} or {"preset": "custom", "day_end": "end_of_day", ...}; omitted: the authority\'s.',
    )


class ObligationInput(NewObligationInput):
    directive = StrictPrimaryKeyRelatedField(queryset=Directive.objects.all())
    directive_version = StrictIntegerField(
        min_value=1,
        max_value=MAX_BIGINT,
        required=False,
        allow_null=True,
        default=None,
        help_text="The directive's version you read; a directive changed since gets 409 (optional).",
    )


class ObligationMetInput(VersionedInput):
    met_at = AwareDateTimeField()
    note = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")


class ObligationWaiveInput(VersionedInput):
    reason = StrictCharField(max_length=5000)
