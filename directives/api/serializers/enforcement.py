"""Access changes carried out through controls, and lift requests."""

from __future__ import annotations

from rest_framework import serializers

from ...models import Enforcement, LiftRequest
from ..fields import StrictCharField
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
