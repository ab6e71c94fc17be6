"""Products' controls, access changes carried out through them, and lift requests."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...choices import ConnectorKind
from ...models import Control, Enforcement, LiftRequest
from ...services.controls import MAX_TARGET_FIELDS, MAX_TARGET_VALUE
from ..fields import StrictCharField, StrictChoiceField, StrictSlugRelatedField
from .base import DocketModelSerializer


class EnforcementSerializer(DocketModelSerializer):
    product = serializers.CharField(source="control.product.name", read_only=True)
    connector = serializers.CharField(source="control.kind", read_only=True)
    requested_by = serializers.SerializerMethodField()

    class Meta:
        model = Enforcement
        fields = [
            "id",
            "directive",
            "product",
            "connector",
            "status",
            "states",
            "key",
            "requested_by",
            "requested_at",
            "applied_at",
            "confirmed_at",
            "failed_at",
            "dead_at",
            "escalated_at",
            "attempts",
            "last_error",
            "applied_detail",
            "confirmed_states",
        ]
        read_only_fields = fields

    def get_requested_by(self, obj: Enforcement) -> str | None:
        return obj.requested_by.get_username() if obj.requested_by else None


class LiftRequestSerializer(DocketModelSerializer):
    product = serializers.CharField(source="product.name", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    approved_by = serializers.SerializerMethodField()

    class Meta:
        model = LiftRequest
        fields = [
            "id",
            "directive",
            "product",
            "audiences",
            "state",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "approved_by",
            "approved_at",
        ]
        read_only_fields = fields

    def get_approved_by(self, obj: LiftRequest) -> str | None:
        return obj.approved_by.get_username() if obj.approved_by else None


class SuspendInput(serializers.Serializer):
    reason = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")


TARGET_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "string", "maxLength": MAX_TARGET_VALUE},
    "maxProperties": MAX_TARGET_FIELDS,
    "description": "The connector's non-secret configuration: names of lower-case letters, digits and _ "
    "(at most 40 characters). webhook: url and status_url (http or https); "
    "unleash: project, environment, flag, context_field, audiences; manual: none. A name that looks like "
    "a credential (secret, token, password, key) is refused: credentials are settings.",
}


@extend_schema_field(TARGET_SCHEMA)
class TargetField(serializers.DictField):
    child = StrictCharField(max_length=MAX_TARGET_VALUE, allow_blank=True)


class ControlSerializer(DocketModelSerializer):
    """A product's control: its connector and non-secret target (credentials are never part of it)."""

    product = serializers.IntegerField(source="product_id", read_only=True)
    target = TargetField(read_only=True)
    owner = serializers.SerializerMethodField()

    class Meta:
        model = Control
        fields = ["id", "product", "kind", "target", "owner", "created_at", "drift_checked_at", "drift_error"]
        read_only_fields = fields

    def get_owner(self, obj: Control) -> str | None:
        return obj.owner.get_username() if obj.owner else None


class ControlInput(serializers.Serializer):
    """Set or change a product's control: checked by the same service as the product's control page."""

    kind = StrictChoiceField(choices=ConnectorKind.choices)
    target = TargetField(required=False, default=dict)
    owner: Any = StrictSlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="The username told, with legal, when the live access drifts",
    )
