"""Escalations, notifications in the outbox, webhook subscriptions."""

from __future__ import annotations

from rest_framework import serializers

from ...models import Escalation, Notification, WebhookEndpoint
from ...models.notifications import WebhookEvent
from ..fields import StrictBooleanField, StrictCharField, StrictChoiceField, StrictURLField
from .base import DocketModelSerializer

# --- Escalations, notifications, webhooks -------------------------------------------------------


class EscalationSerializer(DocketModelSerializer):
    class Meta:
        model = Escalation
        fields = [
            "id",
            "directive",
            "task",
            "obligation",
            "level",
            "repeat",
            "name",
            "reminder",
            "due_at",
            "scheduled_at",
            "fired_at",
            "notified",
            "superseded_at",
            "superseded_reason",
        ]
        read_only_fields = fields


class NotificationSerializer(DocketModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "channel",
            "event",
            "recipient",
            "user",
            "webhook",
            "directive",
            "task",
            "obligation",
            "escalation",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class WebhookEndpointSerializer(DocketModelSerializer):
    """A webhook subscription. The secret is write-only: it signs deliveries and is never shown again."""

    events = serializers.ListField(
        child=StrictChoiceField(choices=WebhookEvent.choices),
        required=False,
        max_length=len(WebhookEvent.choices),
        help_text="Events this endpoint subscribes to",
    )
    url = StrictURLField(max_length=2000)
    secret = StrictCharField(
        max_length=200, min_length=16, write_only=True, help_text="Shared secret for X-Docket-Signature"
    )
    active = StrictBooleanField(required=False, help_text="Deliveries are sent (true) or paused (false)")
    has_secret = serializers.SerializerMethodField()

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "name", "url", "secret", "has_secret", "active", "events", "created_at", "updated_at"]
        read_only_fields = ["id", "has_secret", "created_at", "updated_at"]

    def get_has_secret(self, obj: WebhookEndpoint) -> bool:
        return bool(obj.secret)

    def validate_events(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("An event is listed twice.")
        return value
