"""Counting conventions in the API: an authority's convention and closure days, an obligation's override
and the recompute of its deadline, through the same services as the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ...models import Authority, ClosureDay, Obligation
from ...permissions import Action
from ...selectors.conventions import closure_days
from ...services import conventions as convention_services
from .. import serializers as s
from .base import DocketViewSet, V, now

AUTHORITY_ACTIONS = {
    "convention": Action.LOG_DIRECTIVE,
    "closure_days": V,
    "add_closure_day": Action.LOG_DIRECTIVE,
    "remove_closure_day": Action.LOG_DIRECTIVE,
}
OBLIGATION_ACTIONS = {"convention": Action.MANAGE_OBLIGATIONS, "recompute": Action.MANAGE_OBLIGATIONS}


def _chosen(data: dict[str, Any]) -> dict[str, Any]:
    """The convention a body chose: its fields without the version it was read at."""
    return {k: v for k, v in data.items() if k != "version"}


class AuthorityConventionMixin(DocketViewSet):
    """Actions of the authority viewset (mixed into ``AuthorityViewSet``)."""

    @extend_schema(
        summary="Choose how the authority's new deadlines are counted (existing ones move only when "
        "recomputed); version or If-Match required",
        request=s.AuthorityConventionInput,
        responses={200: s.AuthoritySerializer},
    )
    @action(detail=True, methods=["post"])
    def convention(self, request: Request, pk: str | None = None) -> Response:
        authority = self.get_object()
        data = self.parse(s.AuthorityConventionInput)
        convention_services.set_authority_convention(
            authority=authority,
            convention=_chosen(data),
            expected_version=self.expected_version(data),
            actor=request.user,
            now=now(),
        )
        return self.render(s.AuthoritySerializer, Authority.objects.get(pk=authority.pk))

    @extend_schema(
        summary="The authority's closure days (removed ones too, with who and when)",
        responses={200: s.ClosureDaySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="closure-days")
    def closure_days(self, request: Request, pk: str | None = None) -> Response:
        rows = closure_days(self.get_object(), include_removed=True)
        return Response(s.ClosureDaySerializer(rows, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Add a day the authority keeps closed (not a business day for its new deadlines)",
        request=s.ClosureDayInput,
        responses={201: s.ClosureDaySerializer},
    )
    @closure_days.mapping.post
    def add_closure_day(self, request: Request, pk: str | None = None) -> Response:
        data = self.parse(s.ClosureDayInput)
        closure = convention_services.add_closure_day(
            authority=self.get_object(), day=data["day"], name=data["name"], actor=request.user, now=now()
        )
        return Response(
            s.ClosureDaySerializer(closure, context=self.get_serializer_context()).data, status=201
        )

    @extend_schema(
        summary="Stop keeping a closure day (its row stays, with who removed it and when)",
        request=None,
        responses={200: s.ClosureDaySerializer},
    )
    @action(detail=True, methods=["delete"], url_path=r"closure-days/(?P<closure_pk>[0-9]{1,18})")
    def remove_closure_day(self, request: Request, pk: str | None = None, closure_pk: str = "") -> Response:
        closure = ClosureDay.objects.filter(pk=int(closure_pk), authority=self.get_object()).first()
        if closure is None:
            raise Http404("No such closure day.")
        closure = convention_services.remove_closure_day(closure=closure, actor=request.user, now=now())
        return Response(s.ClosureDaySerializer(closure, context=self.get_serializer_context()).data)


class ObligationConventionMixin(DocketViewSet):
    """Actions of the obligation viewset (mixed into ``ObligationViewSet``)."""

    @extend_schema(
        summary="Count the obligation under its own convention (preset null: its authority's again); its "
        "due instant moves only when recomputed",
        request=s.ObligationConventionInput,
        responses={200: s.ObligationSerializer},
    )
    @action(detail=True, methods=["post"], url_path="convention")
    def convention(self, request: Request, pk: str | None = None) -> Response:
        obligation = self.get_object()
        data = self.parse(s.ObligationConventionInput)
        chosen = _chosen(data)
        convention_services.set_obligation_convention(
            obligation=obligation,
            convention=chosen if chosen.get("preset") else None,
            expected_version=self.expected_version(data),
            actor=request.user,
            now=now(),
        )
        return self.render(s.ObligationSerializer, Obligation.objects.get(pk=obligation.pk))

    @extend_schema(
        summary="Recompute the due instant under the obligation's current convention and its authority's "
        "calendar; the timeline records the old and new instants",
        request=s.RecomputeInput,
        responses={200: s.ObligationSerializer},
    )
    @action(detail=True, methods=["post"])
    def recompute(self, request: Request, pk: str | None = None) -> Response:
        obligation = self.get_object()
        data = self.parse(s.RecomputeInput)
        convention_services.recompute_due(
            obligation=obligation, expected_version=self.expected_version(data), actor=request.user, now=now()
        )
        return self.render(s.ObligationSerializer, Obligation.objects.get(pk=obligation.pk))
