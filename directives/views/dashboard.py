"""The executive dashboard: tiles, progress per directive, access matrix, deadlines, escalations, charts
and the article-style table of instruments. The live part refreshes itself every 60 s with htmx
(``dashboard/index.html#live`` when the request comes from htmx). Charts get their data from a
``json_script`` block (never an inline script) read by static/js/dashboard.js."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from ..permissions import Action, can
from ..selectors import dashboard as selectors
from .tasks import company_zone_name


def duration_text(value: dt.timedelta | None) -> str:
    """A span as a person says it: "27 min", "3 h 5 min", "2 d 4 h"."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return "under 1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW):
        return render(
            request,
            "403.html",
            {"reason": "Your account has no role that may see the dashboard."},
            status=403,
        )
    now = timezone.now()
    data = selectors.dashboard(now=now)
    context = {
        "d": data,
        "now": now,
        "company_zone": company_zone_name(),
        "median_text": duration_text(data.tiles.median_to_shutdown),
        "sweep_age_text": duration_text(data.tiles.sweep.age) if data.tiles.sweep else "",
        "chart_rows": list(
            zip(
                data.charts["openedVsResolved"]["labels"],
                data.charts["openedVsResolved"]["created"],
                data.charts["openedVsResolved"]["resolved"],
                strict=True,
            )
        ),
        "priority_rows": list(
            zip(
                data.charts["overdueByPriority"]["labels"],
                data.charts["overdueByPriority"]["counts"],
                strict=True,
            )
        ),
    }
    template = "dashboard/index.html#live" if getattr(request, "htmx", False) else "dashboard/index.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # the page and its fragment share a URL
    return response


urlpatterns = [path("dashboard/", dashboard, name="dashboard")]
