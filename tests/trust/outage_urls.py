"""The project's URLs and three views that meet a database outage, for test_database_outage.py."""

from __future__ import annotations

from django.db import OperationalError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from compliance.urls import handler403, handler404, handler500
from compliance.urls import urlpatterns as project_urlpatterns
from directives.models import Authority

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def read_then_lose_the_database(request: HttpRequest) -> HttpResponse:
    raise OperationalError("server closed the connection unexpectedly")


def write_twice_then_lose_the_database(request: HttpRequest) -> HttpResponse:
    """Two writes, each committed on its own as far as the view knows, then the connection is lost."""
    with transaction.atomic():
        Authority.objects.create(name="Written before the outage 1", jurisdiction="US")
    with transaction.atomic():
        Authority.objects.create(name="Written before the outage 2", jurisdiction="US")
    raise OperationalError("terminating connection due to administrator command")


def write_and_succeed(request: HttpRequest) -> HttpResponse:
    Authority.objects.create(name="Written whole", jurisdiction="US")
    return JsonResponse({"ok": True}, status=201)


urlpatterns = [
    path("outage/read/", read_then_lose_the_database),
    path("api/v1/outage/read/", read_then_lose_the_database),
    path("outage/write/", write_twice_then_lose_the_database),
    path("api/v1/outage/write/", write_twice_then_lose_the_database),
    path("outage/ok/", write_and_succeed),
    *project_urlpatterns,
]
