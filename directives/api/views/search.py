"""Search: the same search as the search page (``selectors.search``), as JSON."""

from __future__ import annotations

from typing import ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from ...selectors.search import search
from ..permissions import ActionSpec, RoleTablePermission
from ..serializers.search import SearchQueryInput, SearchResultsSerializer
from .base import ThrottleFirst, V


class SearchView(ThrottleFirst):
    permission_classes = [RoleTablePermission]
    role_actions: ClassVar[dict[str, ActionSpec]] = {"list": V}

    @extend_schema(
        summary="Search directives, documents, tasks and timeline entries",
        description=(
            'Every word must match, in any of its forms ("blocking" finds "block"); punctuation is '
            "ignored and at most 12 words count. Hits come best first, each with its matching passage."
        ),
        parameters=[SearchQueryInput],
        responses={200: SearchResultsSerializer},
    )
    def get(self, request: Request) -> Response:
        query = SearchQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        size = query.validated_data["page_size"]
        results = search(
            query.validated_data["q"], limit=size, offset=(query.validated_data["page"] - 1) * size
        )
        return Response(SearchResultsSerializer(results).data)
