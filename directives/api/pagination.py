"""Page-number pagination whose total is exact up to a cap.

An exact ``COUNT(*)`` of a large collection costs more than the page itself: at a million tasks it was
0.10-0.15 s of every 0.11 s list request (docs/benchmarks.md, section 4). The total is therefore counted
exactly up to ``count_limit`` rows (``SELECT COUNT(*) FROM (... LIMIT n)``: at most n index entries) and
reported as that limit beyond it, with ``count_exact: false``; pages stop at the cap, as search APIs do
(filter or sort to reach further). Below the cap nothing changes for a client."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_LIMIT = 10_000


class CappedCountPaginator(Paginator):
    count_limit = COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        limit = self.count_limit
        # The order and the selected columns do not change how many rows there are: counted without them,
        # so that PostgreSQL need not sort, join for an annotation or read the rows in page order.
        rows = self.object_list.order_by().values("pk")  # type: ignore[attr-defined]  # a QuerySet
        counted: int = rows[: limit + 1].count()
        self.count_exact = counted <= limit
        return min(counted, limit)


class DocketPagination(PageNumberPagination):
    """``?page=N`` and ``?page_size=N`` (at most 200); ``count`` exact up to 10,000 (``count_exact``)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CappedCountPaginator

    def get_page_size(self, request: Any) -> int:
        """``page_size`` when given must be an integer from 1 to ``max_page_size``: anything else is a 400,
        not silently the default (the schema says what is accepted, and the API does exactly that)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Must be an integer from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            elif param["name"] == self.page_query_param:
                param["schema"] = {"type": "integer", "minimum": 1}
        return params

    def get_paginated_response(self, data: Any) -> Response:
        if self.page is None:  # pragma: no cover - DRF calls this only after paginate_queryset
            raise RuntimeError("get_paginated_response called before paginate_queryset")
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_exact": getattr(paginator, "count_exact", True),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        result = super().get_paginated_response_schema(schema)
        result["required"] = ["count", "count_exact", "results"]
        result["properties"]["count"]["description"] = (
            f"Number of matching items, exact up to {COUNT_LIMIT:,}; beyond that {COUNT_LIMIT:,} "
            "and count_exact is false (pages stop there: filter or sort to reach further)."
        )
        result["properties"]["count_exact"] = {
            "type": "boolean",
            "example": True,
            "description": f"False when more than {COUNT_LIMIT:,} items match.",
        }
        return result
