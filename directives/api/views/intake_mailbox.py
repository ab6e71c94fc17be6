"""The intake mailbox's queue for legal: the messages waiting, logging one as a directive and dismissing one
(the same selector and services as /intake/inbox/ and the intake page)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ...errors import InvalidInput
from ...mail import UnreadableMessage
from ...models import IntakeItem
from ...permissions import Action
from ...selectors import intake_queue
from ...services import mailbox as mailbox_services
from ...services.directives import AffectedProduct
from ...services.intake import NewObligation
from ...services.links import NewLink
from .. import serializers as s
from .base import DocketViewSet, now
from .directives import directive_with_products


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
        "log": Action.LOG_DIRECTIVE,
    }
    idempotent_actions = ("log",)
    versioned_actions = ("dismiss", "log")
    inconsistent_actions = ("log",)
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

    @extend_schema(
        summary="Log a waiting message as a directive (the fields as reviewed, as for POST /directives/) "
        "and close it, in one transaction; the message and its accepted attachments become the directive's "
        "documents (optimistic concurrency: send version or If-Match; a message logged already is 409)",
        request=s.IntakeLogInput,
        responses={201: s.DirectiveSerializer},
    )
    @action(detail=True, methods=["post"])
    def log(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()

        def perform() -> Response:
            data = self.parse(s.IntakeLogInput)
            expected = self.expected_version(data)
            data.pop("version", None)
            mailbox_services.require_waiting(item)
            try:
                documents = mailbox_services.message_documents(item)
            except UnreadableMessage as exc:
                raise InvalidInput(f"The stored message cannot be read: {exc}", field="documents") from exc
            directive = mailbox_services.log_item(
                item=item,
                expected_version=expected,
                products=[AffectedProduct(i["product"], i["required_action"]) for i in data.pop("products")],
                obligations=[NewObligation(**o) for o in data.pop("obligations")],
                links=[NewLink(i["kind"], i["target"]) for i in data.pop("links")],
                documents=documents,
                actor=request.user,
                now=now(),
                **data,
            )
            return self.render(s.DirectiveSerializer, directive_with_products(directive.pk), code=201)

        return self.create_response(perform)
