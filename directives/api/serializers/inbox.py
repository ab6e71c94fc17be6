"""A person's inbox (the messages sent to them) and their own settings."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ...models import Notification
from ...selectors import inbox as inbox_selectors
from ..fields import OptionalZoneNameField
from .base import DocketModelSerializer


class InboxMessageSerializer(DocketModelSerializer):
    subject = serializers.SerializerMethodField(help_text="The message's subject line")
    text = serializers.SerializerMethodField(help_text="The message as it was sent")
    link = serializers.SerializerMethodField(
        help_text="Absolute URL of the page of its task (or directive); null when it has neither"
    )
    read_at = serializers.SerializerMethodField(help_text="When I marked it read; null while unread")

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "subject",
            "text",
            "link",
            "directive",
            "task",
            "obligation",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields

    def _payload(self, obj: Notification) -> dict[str, Any]:
        return obj.payload if isinstance(obj.payload, dict) else {}

    def get_subject(self, obj: Notification) -> str:
        return str(self._payload(obj).get("subject", ""))

    def get_text(self, obj: Notification) -> str:
        return str(self._payload(obj).get("text", ""))

    def get_link(self, obj: Notification) -> str | None:
        path = inbox_selectors.subject_url(obj)
        request = self.context.get("request")
        if not path:
            return None
        return request.build_absolute_uri(path) if request is not None else path

    def get_read_at(self, obj: Notification) -> str | None:
        value = getattr(obj, "read_at", None)
        return serializers.DateTimeField().to_representation(value) if value else None


class InboxReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many unread messages were marked read")
    unread = serializers.IntegerField(help_text="Unread messages left (0)")


class PreferenceSerializer(serializers.Serializer):
    time_zone = OptionalZoneNameField(
        help_text="IANA name (e.g. Europe/Brussels) that task due dates and reminders are shown in; "
        '"" for the company\'s zone',
    )
    effective_time_zone = serializers.CharField(
        read_only=True, help_text="The zone in use: the preference, or the company's"
    )


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.URLField(
        help_text="The iCalendar feed of my deadlines; a secret, shown only this once (only its hash is kept)"
    )
    replaced = serializers.BooleanField(
        help_text="True when an earlier address was replaced and stops working"
    )
