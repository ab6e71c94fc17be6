"""The executive summary: the dashboard snapshot's API part."""

from __future__ import annotations

from typing import ClassVar

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request

from ...selectors import snapshot
from .. import serializers as s
from ..permissions import ActionSpec, RoleTablePermission
from .base import ThrottleFirst, V, now


class DashboardView(ThrottleFirst):
    permission_classes = [RoleTablePermission]
    role_actions: ClassVar[dict[str, ActionSpec]] = {"list": V}  # an APIView has no action: "list"

    @extend_schema(
        summary="The executive summary",
        description=(
            "The dashboard's figures, from the same snapshot as the page (docs/architecture.md, "
            '"Dashboard snapshot"): `generated_at` is when they were computed, at most '
            "DOCKET_DASHBOARD_MAX_AGE_SECONDS ago, or DOCKET_DASHBOARD_MIN_REFRESH_SECONDS after a change."
        ),
        responses={200: s.DashboardSerializer},
    )
    def get(self, request: Request) -> HttpResponse:
        _, body = snapshot.serve(snapshot.API, now=now())
        # Rendered to JSON once per snapshot, by the API's own renderer (the only one it has).
        return HttpResponse(body, content_type="application/json")
