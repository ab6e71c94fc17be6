"""The executive dashboard: tiles, progress per directive, access matrix, deadlines, escalations, charts
and the article-style table of instruments; and the full, paged list of the progress per directive.

The figures come from the dashboard's snapshot (``selectors/snapshot.py``). Its live part is this page's
fragment, rendered once per snapshot by ``render_live``: the same for everyone who may see the dashboard
(nothing of the user, the request or the CSRF token is in it); navigation and user name are rendered per
request. The live part refreshes itself every 60 s with htmx (the cached fragment is the whole answer to an
htmx request). Charts get their data from a ``json_script`` block (never an inline script) read by
static/js/dashboard.js."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from .. import instants
from ..selectors import dashboard as selectors
from ..selectors import snapshot
from .common import is_htmx, now, paginate, require_view

PROGRESS_ON_DASHBOARD = 50  # rows of the progress table on the dashboard itself, worst first
PROGRESS_PAGE_SIZE = 100  # rows per page of the full list
NO_ROLE = "Your account has no role that may see the dashboard."


def render_live(
    board: selectors.Dashboard, info: snapshot.SnapshotInfo, rows: list[selectors.ProgressRow]
) -> str:
    """The page's live fragment for a snapshot (installed as its ``LIVE`` part)."""
    charts = board.charts
    context = {
        "d": board,
        "now": board.now,
        "info": info,
        "max_age_seconds": int(snapshot.max_age().total_seconds()),
        "min_refresh_seconds": int(snapshot.min_refresh().total_seconds()),
        "progress_rows": rows[:PROGRESS_ON_DASHBOARD],
        "totals": info.totals,
        "company_zone": instants.company_zone().key,
        "median_text": instants.duration(board.tiles.median_to_shutdown, brief=True),
        "sweep_age_text": instants.duration(board.tiles.sweep.age, brief=True) if board.tiles.sweep else "",
        "chart_rows": list(
            zip(
                charts["openedVsResolved"]["labels"],
                charts["openedVsResolved"]["created"],
                charts["openedVsResolved"]["resolved"],
                strict=True,
            )
        ),
        "priority_rows": list(
            zip(charts["overdueByPriority"]["labels"], charts["overdueByPriority"]["counts"], strict=True)
        ),
    }
    return render_to_string("dashboard/index.html#live", context)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require_view(request, reason=NO_ROLE)
    info, live = snapshot.serve(snapshot.LIVE, now=now())
    if is_htmx(request):
        response = HttpResponse(live)  # the refresh swaps in the live fragment alone
    else:
        context = {"live": mark_safe(live), "info": info, "company_zone": instants.company_zone().key}  # noqa: S308 (rendered by our own template, escaped there)
        response = render(request, "dashboard/index.html", context)
    patch_vary_headers(response, ["HX-Request"])  # the page and its fragment share a URL
    return response


@login_required
@require_GET
def progress_list(request: HttpRequest) -> HttpResponse:
    """Every active directive's progress, worst first, 100 a page, optionally of one colour: the same
    snapshot as the dashboard, so that both pages show the same figures."""
    require_view(request, reason=NO_ROLE)
    info, rows = snapshot.serve(snapshot.PROGRESS, now=now())
    colour = request.GET.get("colour", "")
    if colour not in selectors.COLOURS:
        colour = ""
    shown = [r for r in rows if r.colour == colour] if colour else rows
    page_obj = paginate(request, shown, PROGRESS_PAGE_SIZE)
    context: dict[str, Any] = {
        "info": info,
        "totals": info.totals,
        "colour": colour,
        "colour_label": selectors.COLOUR_LABELS.get(colour, ""),
        "colours": [(c, selectors.COLOUR_LABELS[c], info.totals.of(c)) for c in selectors.COLOURS],
        "page_obj": page_obj,
        "progress_rows": page_obj.object_list,
        "query": f"colour={colour}&" if colour else "",
        "max_age_seconds": int(snapshot.max_age().total_seconds()),
        "min_refresh_seconds": int(snapshot.min_refresh().total_seconds()),
        "rag_rule": selectors.RAG_RULE,
        "company_zone": instants.company_zone().key,
    }
    return render(request, "dashboard/progress.html", context)


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/progress/", progress_list, name="dashboard_progress"),
]
