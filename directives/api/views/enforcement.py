"""Access changes carried out through each product's control, a manual control's confirmation, and the
second person's approval of a lift."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ...models import Enforcement, LiftRequest
from ...permissions import Action
from ...services import enforcement as enforcement_services
from ...services import suspension
from ..serializers.enforcement import EnforcementSerializer, LiftRequestSerializer
from .base import DocketViewSet, V, now


@extend_schema_view(
    list=extend_schema(summary="Access changes requested through controls (filter: ?directive=)"),
    retrieve=extend_schema(summary="One access change: requested, applied and confirmed instants"),
)
class EnforcementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = Enforcement.objects.select_related("control__product", "requested_by")
    serializer_class = EnforcementSerializer
    ordering = ["requested_at", "id"]
    role_actions = {"list": V, "retrieve": V, "confirm": Action.RECORD_ACCESS_CHANGE}
    idempotent_actions = ("confirm",)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        rows = super().get_queryset()
        directive = self.request.query_params.get("directive")
        if directive is not None:
            if not directive.isdigit() or len(directive) > 18:
                raise serializers.ValidationError({"directive": ["A directive id is a whole number."]})
            rows = rows.filter(directive_id=int(directive))
        return rows

    @extend_schema(summary="Confirm a manual control's change (a person did it)", request=None)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        enforcement = self.get_object()

        def perform() -> Response:
            row = enforcement_services.confirm_manually(
                enforcement=enforcement, actor=request.user, now=now()
            )
            return self.render(EnforcementSerializer, self.get_queryset().get(pk=row.pk))

        return self.create_response(perform)


@extend_schema_view(
    list=extend_schema(summary="Lift requests (a second person approves them)"),
    retrieve=extend_schema(summary="One lift request"),
)
class LiftRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = LiftRequest.objects.select_related("product", "requested_by", "approved_by")
    serializer_class = LiftRequestSerializer
    ordering = ["requested_at", "id"]
    role_actions = {"list": V, "retrieve": V, "approve": Action.APPROVE_LIFT}
    idempotent_actions = ("approve",)

    @extend_schema(summary="Approve a lift (not by the person who requested it)", request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        lift = self.get_object()

        def perform() -> Response:
            suspension.approve_lift(lift=lift, actor=request.user, now=now())
            return self.render(LiftRequestSerializer, self.get_queryset().get(pk=lift.pk))

        return self.create_response(perform)
