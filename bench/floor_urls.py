"""What serving any authenticated JSON page costs on this stack, measured beside the API's task list
(``bench/pages.py --pages api_tasks,floor_django,floor_drf``). Bench only: ``bench/floor_settings.py`` adds
these to the project's URLs; the application never serves them.

- ``/bench/floor/django/``: a plain Django view behind the whole middleware stack. It reads the signed-in
  user (the session and the user, two queries, as every page does) and returns a constant JSON body the
  size of the task list's first page. No ORM query of its own, no serializer, no DRF.
- ``/bench/floor/drf/``: the same body through DRF's request cycle as the API's views run it
  (``ThrottleFirst``: content negotiation, authentication, the sliding-window throttles, the permission
  check, the JSON renderer), with the body as data rendered by DRF.

The task list does all of the first plus its own queries (the capped count, the page, the evidence) and
its serializer, so neither floor can be slower than the list on the same machine in the same run.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response

from compliance.urls import handler403, handler404, handler500
from compliance.urls import urlpatterns as project_urlpatterns
from directives.api.views import ThrottleFirst

# 50 rows of 13 fields, about the size of the task list's first page (29 KB in docs/benchmarks.md).
ROWS: list[dict[str, Any]] = [
    {
        "id": 1_000_000 + i,
        "directive": 4_000 + i,
        "title": f"Remediate item {1_000_000 + i} of BENCH-000{4_000 + i}",
        "description": "Block access for the named nationals and record the evidence of the change. " * 3,
        "status": "open",
        "priority": "P2",
        "assignee": f"bench-eng-{i:04d}",
        "due_at": "2026-11-29T14:55:00.010962+00:00",
        "escalation_level": 1,
        "next_escalation_at": "2026-11-29T18:55:00.010962+00:00",
        "version": 3,
        "created_at": "2026-11-20T09:00:00+00:00",
        "evidence": [],
    }
    for i in range(50)
]
PAGE: dict[str, Any] = {
    "count": 10_000,
    "count_exact": False,
    "next": None,
    "previous": None,
    "results": ROWS,
}
BODY = json.dumps(PAGE).encode()


def floor_django(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
    return HttpResponse(BODY, content_type="application/json")


class FloorDRF(ThrottleFirst):
    def get(self, request: Request) -> Response:
        return Response(PAGE)


urlpatterns = [
    path("bench/floor/django/", floor_django),
    path("bench/floor/drf/", FloorDRF.as_view()),
    *project_urlpatterns,
]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
