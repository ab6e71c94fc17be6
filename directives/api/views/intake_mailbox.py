"""The intake mailbox's queue for legal: the messages waiting, and dismissing one (the same selector and
service as /intake/inbox/). Logging one is the intake page's (the form filled in from the message)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ...models import IntakeItem
from ...permissions import Action
from ...selectors import intake_queue
from ...services import mailbox as mailbox_services
from .. import serializers as s
from .base import DocketViewSet, now


@extend_schema_view(
    list=extend_schema(summary="The intake mailbox's messages waiting for legal, oldest first"),
    retrieve=extend_schema(summary="One message of the intake mailbox (waiting or closed)"),
)
class IntakeItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    serializer_class = s.IntakeItemSerializer
    role_actions = {
        "list": Action.LOG_DIRECTIVE,
        "retrieve": Action.LOG_DIRECTIVE,
        "dismiss": Action.LOG_DIRECTIVE,
    }
    idempotent_actions = ()
    versioned_actions = ("dismiss",)
    ordering = None  # the selector's order
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[IntakeItem]:
        if self.action == "list":
            return intake_queue.waiting()
        return IntakeItem.objects.order_by("pk")

    @extend_schema(
        summary="Dismiss a waiting message, saying why",
        request=s.IntakeDismissInput,
        responses={200: s.IntakeItemSerializer},
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data = self.parse(s.IntakeDismissInput)
        mailbox_services.dismiss_item(
            item=item,
            reason=data["reason"],
            actor=request.user,
            now=now(),
            expected_version=self.expected_version(data),
        )
        item.refresh_from_db()
        return self.render(s.IntakeItemSerializer, item)
