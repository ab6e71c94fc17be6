"""Counting conventions: the input choosing one (an authority's, or an obligation's override), closure
days, and recomputing a deadline. The building blocks are ``directives.conventions``'s; the service
refuses what they do not allow."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ...conventions import DayEnd, DeemedReceipt, Preset
from ...models import ClosureDay
from ..fields import StrictCharField, StrictChoiceField, StrictIntegerField
from .base import DocketModelSerializer, VersionedInput

CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$"


class ConventionFieldsInput(serializers.Serializer):
    """A preset (FRCP 6(a) may choose its day end and closing time) or a custom set of building blocks."""

    day_end = StrictChoiceField(choices=[d.value for d in DayEnd], required=False)
    deemed_receipt = StrictChoiceField(choices=[d.value for d in DeemedReceipt], required=False)
    opens = serializers.RegexField(CLOCK, required=False, help_text="Business hours open, HH:MM")
    closes = serializers.RegexField(CLOCK, required=False, help_text="Close of business, HH:MM")
    roll_last_day = serializers.BooleanField(required=False)
    roll_hours = serializers.BooleanField(required=False)
    skip_event_hour = serializers.BooleanField(required=False)
    min_working_days = StrictIntegerField(min_value=0, max_value=5, required=False)


class ConventionOverride(ConventionFieldsInput):
    """An obligation's own convention, given when it is added (at intake or later). A field it does not
    know is refused, naming it (the schema says ``additionalProperties: false``)."""

    preset = StrictChoiceField(choices=[p.value for p in Preset])

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(k) for k in data if k not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {k: ["Not a building block of a convention."] for k in unknown}
                )
        return super().to_internal_value(data)


class AuthorityConventionInput(ConventionFieldsInput, VersionedInput):
    preset = StrictChoiceField(choices=[p.value for p in Preset])


class ObligationConventionInput(ConventionFieldsInput, VersionedInput):
    preset = StrictChoiceField(
        choices=[p.value for p in Preset],
        allow_null=True,
        help_text="null: count it under its authority's convention again",
    )


class RecomputeInput(VersionedInput):
    pass


class ClosureDayInput(serializers.Serializer):
    day = serializers.DateField()
    name = StrictCharField(max_length=120)


class ClosureDaySerializer(DocketModelSerializer):
    class Meta:
        model = ClosureDay
        fields = ["id", "day", "name", "added_by", "added_at", "removed_by", "removed_at"]
        read_only_fields = fields
