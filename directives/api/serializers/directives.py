"""Authorities, products and their access, directives, their timeline entries and the inputs of the
actions on them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ... import instants
from ...choices import AccessState, DirectiveStatus, Posture
from ...models import (
    AccessChange,
    Audience,
    Authority,
    Directive,
    DirectiveProduct,
    Product,
    ProductAccess,
    TimelineEntry,
)
from ..fields import (
    AwareDateTimeField,
    StrictCharField,
    StrictChoiceField,
    StrictPrimaryKeyRelatedField,
    StrictURLField,
    ZoneNameField,
    check_json_text,
)
from .base import RECORDABLE_KIND_CHOICES, DocketModelSerializer, VersionedInput

# --- Authorities --------------------------------------------------------------------------------


class AuthoritySerializer(DocketModelSerializer):
    class Meta:
        model = Authority
        fields = [
            "id",
            "name",
            "short_name",
            "jurisdiction",
            "time_zone",
            "calendar_country",
            "calendar_subdivision",
            "deadline_convention",
            "convention_words",
            "created_at",
            "version",
        ]
        read_only_fields = fields

    convention_words = serializers.CharField(read_only=True, help_text="Its counting convention, in words")


class AuthorityInput(serializers.Serializer):
    name = StrictCharField(max_length=200)
    short_name = StrictCharField(max_length=40, required=False, allow_blank=True, default="")
    jurisdiction = StrictCharField(max_length=100)
    time_zone = ZoneNameField(help_text="IANA zone name, e.g. America/New_York")
    calendar_country = StrictCharField(max_length=3, required=False, default="US")
    calendar_subdivision = StrictCharField(max_length=10, required=False, allow_blank=True, default="")


class AuthorityEditInput(VersionedInput):
    """The editable fields of an authority; send only those to change. Its zone and calendar stay as they
    are once it has a directive."""

    name = StrictCharField(max_length=200, required=False)
    short_name = StrictCharField(max_length=40, required=False, allow_blank=True)
    jurisdiction = StrictCharField(max_length=100, required=False)
    time_zone = ZoneNameField(required=False, help_text="IANA zone name")
    calendar_country = StrictCharField(max_length=3, required=False)
    calendar_subdivision = StrictCharField(max_length=10, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.keys() - {"version"}:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


# --- Products -----------------------------------------------------------------------------------


class ProductAccessSerializer(DocketModelSerializer):
    audience: serializers.SlugRelatedField[Audience] = serializers.SlugRelatedField(
        slug_field="key", read_only=True
    )
    audience_name = serializers.CharField(source="audience.name", read_only=True)

    class Meta:
        model = ProductAccess
        fields = ["audience", "audience_name", "state", "changed_at"]
        read_only_fields = fields


class ProductSerializer(DocketModelSerializer):
    access = ProductAccessSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = ["id", "name", "description", "owner_team", "created_at", "access"]
        read_only_fields = fields


class ProductInput(serializers.Serializer):
    name = StrictCharField(max_length=120)
    description = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")
    owner_team = StrictCharField(max_length=120, required=False, allow_blank=True, default="")


class AccessChangeInput(serializers.Serializer):
    directive = StrictPrimaryKeyRelatedField(
        queryset=Directive.objects.all(), help_text="The order requiring it"
    )
    audiences = serializers.ListField(
        child=StrictCharField(max_length=50), min_length=1, max_length=20, help_text="Audience keys"
    )
    state = StrictChoiceField(choices=AccessState.choices)
    occurred_at = AwareDateTimeField(help_text="When access actually changed (ISO 8601 with offset)")
    reason = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")

    def validate_audiences(self, keys: list[str]) -> list[Audience]:
        if len(set(keys)) != len(keys):
            raise serializers.ValidationError("An audience is listed twice.")
        found = {a.key: a for a in Audience.objects.filter(key__in=keys)}
        unknown = [k for k in keys if k not in found]
        if unknown:
            known = ", ".join(Audience.objects.values_list("key", flat=True))
            raise serializers.ValidationError(f"Unknown audience {unknown[0]!r}; known: {known}.")
        return [found[k] for k in keys]


class AccessChangeSerializer(DocketModelSerializer):
    audience: serializers.SlugRelatedField[Audience] = serializers.SlugRelatedField(
        slug_field="key", read_only=True
    )

    class Meta:
        model = AccessChange
        fields = [
            "id",
            "product",
            "audience",
            "from_state",
            "to_state",
            "occurred_at",
            "recorded_at",
            "directive",
            "actor",
            "reason",
        ]
        read_only_fields = fields


class AccessChangeResultSerializer(serializers.Serializer):
    product = ProductSerializer()
    changes = AccessChangeSerializer(many=True)


# --- Directives ---------------------------------------------------------------------------------


class DirectiveProductSerializer(DocketModelSerializer):
    name = serializers.CharField(source="product.name", read_only=True)

    class Meta:
        model = DirectiveProduct
        fields = ["product", "name", "required_action"]
        read_only_fields = fields


class DirectiveSerializer(DocketModelSerializer):
    products = DirectiveProductSerializer(source="product_links", many=True, read_only=True)
    received_at_local = serializers.SerializerMethodField(
        help_text="The receipt instant in the authority's own zone (ISO 8601 with its offset)"
    )

    class Meta:
        model = Directive
        fields = [
            "id",
            "authority",
            "reference",
            "title",
            "kind",
            "summary",
            "full_text",
            "received_at",
            "received_at_local",
            "delivery_channel",
            "effective_from",
            "scope",
            "status",
            "posture",
            "products",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_received_at_local(self, obj: Directive) -> str:
        return instants.machine(obj.received_at, obj.authority)


class DirectiveAmendInput(VersionedInput):
    """The amendable fields of a directive; send only those to change (``effective_from`` null clears it)."""

    title = StrictCharField(max_length=300, required=False)
    reference = StrictCharField(max_length=120, required=False)
    summary = StrictCharField(max_length=20_000, required=False, allow_blank=True)
    scope = StrictCharField(max_length=5000, required=False, allow_blank=True)
    effective_from = AwareDateTimeField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not {"title", "reference", "summary", "scope", "effective_from"} & attrs.keys():
            raise serializers.ValidationError(
                "Send at least one of title, reference, summary, scope, effective_from."
            )
        return attrs


class TransitionInput(VersionedInput):
    to_status = StrictChoiceField(choices=DirectiveStatus.choices)
    note = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")
    occurred_at = AwareDateTimeField(required=False, allow_null=True, default=None)


class TimelineEntrySerializer(DocketModelSerializer):
    class Meta:
        model = TimelineEntry
        fields = [
            "id",
            "directive",
            "seq",
            "kind",
            "occurred_at",
            "recorded_at",
            "actor",
            "actor_label",
            "summary",
            "data",
            "obligation",
            "task",
            "product",
            "supersedes",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class RecordActionInput(serializers.Serializer):
    kind = StrictChoiceField(choices=RECORDABLE_KIND_CHOICES)
    summary = StrictCharField(max_length=20_000)
    occurred_at = AwareDateTimeField(help_text="When it happened (may be earlier than now)")
    data = serializers.DictField(  # type: ignore[assignment]  # the field is named data in the API
        required=False, default=dict, help_text="Free-form details (JSON object)"
    )

    def validate_data(self, value: dict[str, Any]) -> dict[str, Any]:
        check_json_text(value)
        return value


class CorrectionInput(serializers.Serializer):
    supersedes = StrictPrimaryKeyRelatedField(
        queryset=TimelineEntry.objects.all(),
        help_text="The id of the entry this corrects (it stays as it was)",
    )
    summary = StrictCharField(max_length=20_000)
    occurred_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The corrected time it happened, if that changes",
    )
    data = serializers.DictField(  # type: ignore[assignment]  # the field is named data in the API
        required=False, default=dict
    )

    def validate_data(self, value: dict[str, Any]) -> dict[str, Any]:
        check_json_text(value)
        return value


class StatementInput(serializers.Serializer):
    text = StrictCharField(max_length=20_000)
    url = StrictURLField(max_length=2000, required=False, allow_blank=True, default="")
    occurred_at = AwareDateTimeField(required=False, allow_null=True, default=None)
    posture = StrictChoiceField(choices=Posture.choices, required=False, allow_null=True, default=None)


class AffectedProductAddInput(VersionedInput):
    product = StrictPrimaryKeyRelatedField(queryset=Product.objects.all())
    required_action = StrictCharField(max_length=300)


class ChainProblemSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    entry_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()


class ChainReportSerializer(serializers.Serializer):
    directive = serializers.IntegerField(source="directive_id")
    ok = serializers.BooleanField()
    entries = serializers.IntegerField()
    head_seq = serializers.IntegerField()
    head_hash = serializers.CharField()
    problem = ChainProblemSerializer(allow_null=True)
