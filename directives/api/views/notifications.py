"""What the escalation sweep recorded and queued, and the webhook subscriptions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from ...models import Escalation, Notification, WebhookEndpoint
from ...services import webhooks as webhook_services
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
    """Subscriptions are configuration, not legal records: written by ``services.webhooks`` (the same as
    the webhooks page). An endpoint that has notifications (or is named by an escalation step) is
    deactivated, not deleted."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = s.WebhookEndpointSerializer
    permission_classes = [IsStaff]
    filterset_class = filters.WebhookFilter
    search_fields = ["name", "url"]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def perform() -> Response:
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            webhook = webhook_services.create_webhook(actor=request.user, **serializer.validated_data)
            return self.render(s.WebhookEndpointSerializer, webhook, code=status.HTTP_201_CREATED)

        return self.create_response(perform)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        webhook = self.get_object()
        serializer = self.get_serializer(webhook, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        webhook_services.update_webhook(
            webhook=webhook, changes=dict(serializer.validated_data), actor=request.user
        )
        return self.render(s.WebhookEndpointSerializer, WebhookEndpoint.objects.get(pk=webhook.pk))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        webhook_services.delete_webhook(webhook=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
