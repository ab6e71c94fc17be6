"""What the escalation sweep recorded and queued, and the webhook subscriptions."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from ...errors import InvalidTransition
from ...models import Escalation, Notification, WebhookEndpoint
from .. import filters
from .. import serializers as s
from ..permissions import IsStaff
from .base import DocketViewSet

# --- Escalations, notifications, webhooks -------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Escalations the sweep recorded (filter by task, obligation, directive)"),
    retrieve=extend_schema(summary="One escalation"),
)
class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = Escalation.objects.all()
    serializer_class = s.EscalationSerializer
    filterset_class = filters.EscalationFilter
    search_fields = ["name", "superseded_reason"]
    ordering_fields = ["scheduled_at", "fired_at", "level", "id"]
    ordering = ["scheduled_at", "id"]


@extend_schema_view(
    list=extend_schema(summary="Notifications in the outbox (filter by task, obligation, directive)"),
    retrieve=extend_schema(summary="One notification"),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = Notification.objects.all()
    serializer_class = s.NotificationSerializer
    filterset_class = filters.NotificationFilter
    search_fields = ["recipient", "last_error"]
    ordering_fields = ["created_at", "next_attempt_at", "sent_at", "status", "id"]
    ordering = ["-created_at", "-id"]


@extend_schema_view(
    list=extend_schema(summary="Webhook subscriptions (administrators only)"),
    retrieve=extend_schema(summary="One webhook subscription"),
    create=extend_schema(summary="Subscribe a webhook endpoint"),
    partial_update=extend_schema(summary="Change a webhook subscription (e.g. deactivate it)"),
    destroy=extend_schema(summary="Remove a webhook subscription that has never been used"),
)
class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    DocketViewSet,
):
    """Subscriptions are configuration, not legal records: written here through the serializer. An
    endpoint that has notifications (or is named by an escalation step) is deactivated, not deleted."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = s.WebhookEndpointSerializer
    permission_classes = [IsStaff]
    filterset_class = filters.WebhookFilter
    search_fields = ["name", "url"]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.create_response(lambda: super(WebhookViewSet, self).create(request, *args, **kwargs))

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        if instance.steps.exists():
            raise InvalidTransition(
                f"Webhook {instance.name!r} is named by an escalation step; remove it there first, "
                "or deactivate it (active: false).",
                field="active",
            )
        try:
            with transaction.atomic():
                instance.delete()
        except ProtectedError as exc:
            raise InvalidTransition(
                f"Webhook {instance.name!r} has notifications on record; deactivate it (active: false) instead.",
                field="active",
            ) from exc
