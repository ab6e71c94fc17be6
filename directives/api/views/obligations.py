"""Obligations: list, read, add, mark met, waive."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ...models import Obligation
from ...permissions import Action
from ...services import obligations as obligation_services
from .. import filters
from .. import serializers as s
from .base import V, now
from .conventions import OBLIGATION_ACTIONS, ObligationConventionMixin

# --- Obligations --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List obligations"),
    retrieve=extend_schema(summary="One obligation"),
)
class ObligationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ObligationConventionMixin):
    queryset = Obligation.objects.all()
    serializer_class = s.ObligationSerializer
    filterset_class = filters.ObligationFilter
    search_fields = ["title", "description"]
    ordering_fields = ["due_at", "created_at", "status", "id"]
    ordering = ["due_at", "id"]
    role_actions = {
        "list": V,
        "retrieve": V,
        "create": Action.MANAGE_OBLIGATIONS,
        "met": Action.MANAGE_OBLIGATIONS,
        "waive": Action.MANAGE_OBLIGATIONS,
        **OBLIGATION_ACTIONS,
    }
    versioned_actions = ("met", "waive", "convention", "recompute")
    inconsistent_actions = ("create", "convention")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.render(s.ObligationSerializer, self.get_object())

    @extend_schema(
        summary="Add an obligation; its due instant is computed in the authority's zone and calendar",
        request=s.ObligationInput,
        responses={201: s.ObligationSerializer},
    )
    def create(self, request: Request) -> Response:
        def perform() -> Response:
            data = self.parse(s.ObligationInput)
            obligation = obligation_services.add_obligation(actor=request.user, now=now(), **data)
            return self.render(s.ObligationSerializer, obligation, code=201)

        return self.create_response(perform)

    @extend_schema(
        summary="Mark the obligation met",
        request=s.ObligationMetInput,
        responses={200: s.ObligationSerializer},
    )
    @action(detail=True, methods=["post"])
    def met(self, request: Request, pk: str | None = None) -> Response:
        obligation = self.get_object()
        data = self.parse(s.ObligationMetInput)
        obligation_services.mark_obligation_met(
            obligation=obligation,
            met_at=data["met_at"],
            note=data["note"],
            expected_version=self.expected_version(data),
            actor=request.user,
            now=now(),
        )
        return self.render(s.ObligationSerializer, Obligation.objects.get(pk=obligation.pk))

    @extend_schema(
        summary="Waive the obligation",
        request=s.ObligationWaiveInput,
        responses={200: s.ObligationSerializer},
    )
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str | None = None) -> Response:
        obligation = self.get_object()
        data = self.parse(s.ObligationWaiveInput)
        obligation_services.waive_obligation(
            obligation=obligation,
            reason=data["reason"],
            expected_version=self.expected_version(data),
            actor=request.user,
            now=now(),
        )
        return self.render(s.ObligationSerializer, Obligation.objects.get(pk=obligation.pk))
