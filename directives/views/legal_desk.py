"""Legal's home: what arrived, what is due this week, what nobody has taken yet (the directive list is one
click away)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from ..selectors.legal_desk import WEEK, legal_desk
from .common import answers_domain_errors, now, require_view


@login_required
@answers_domain_errors
@require_GET
def legal_desk_view(request: HttpRequest) -> HttpResponse:
    require_view(request)
    desk = legal_desk(now=now())
    return render(request, "directives/legal_desk.html", {"desk": desk, "week_days": WEEK.days})


urlpatterns = [
    path("desk/", legal_desk_view, name="legal_desk"),
]
