"""The executive dashboard: tiles, progress per directive, access matrix, deadlines, escalations, charts
and the article-style table of instruments; and the full, paged list of the progress per directive.

The figures are a **snapshot** (docs/architecture.md, "Dashboard snapshot"): computed by
``selectors.dashboard(now=...)`` (ten queries over every task, obligation and directive: seconds at a
million tasks), rendered once to HTML, and kept in Django's cache with the full progress list beside it.
The API's summary (``/api/v1/dashboard/``) is part of the same snapshot, rendered to JSON once.
A request reads the current generation (one index-only query: the last timeline entry and sweep) and:

- serves the snapshot if its generation is the current one and it is younger than
  ``DOCKET_DASHBOARD_MAX_AGE_SECONDS`` (overdue counts change with the clock);
- serves it anyway while it is younger than ``DOCKET_DASHBOARD_MIN_REFRESH_SECONDS``, so that a stream
  of writes cannot make every request recompute;
- otherwise recomputes it, one recompute at a time (a ``cache.add`` lock over every process sharing the
  cache: the default file cache, or Redis; best effort on files); a request that finds the lock taken
  serves the stale snapshot, and one that finds no snapshot at all computes it itself.

A Celery task (``refresh_dashboard``, every ``DOCKET_DASHBOARD_REFRESH_SECONDS``) computes it ahead of
the readers (``refresh``), so that they seldom have to: a reader computes only after a write, or when no
worker shares the cache.

The per-user parts of the page (navigation, user name, CSRF token) are rendered on every request; the
cached body is the same for everyone who may see the dashboard. The live part refreshes itself every
60 s with htmx (the cached fragment is the whole answer to an htmx request). Charts get their data from a
``json_script`` block (never an inline script) read by static/js/dashboard.js."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET
from rest_framework.renderers import JSONRenderer

from .. import instants
from ..api.dashboard import summary as api_summary
from ..api.serializers import DashboardSerializer
from ..permissions import Action, can
from ..selectors import dashboard as selectors

PROGRESS_ON_DASHBOARD = 50  # rows of the progress table on the dashboard itself, worst first
PROGRESS_PAGE_SIZE = 100  # rows per page of the full list

# The version names the shape of what is stored (pickled): bump it when SnapshotInfo, Generation,
# ProgressTotals or ProgressRow change, so that a shared cache never hands a new release an old shape.
CACHE_PREFIX = "docket:dashboard:v2:"
LIVE_KEY = CACHE_PREFIX + "live"  # (SnapshotInfo, rendered live fragment)
PROGRESS_KEY = CACHE_PREFIX + "progress"  # (SnapshotInfo, every ProgressRow, worst first)
API_KEY = CACHE_PREFIX + "api"  # (SnapshotInfo, the API's summary rendered to JSON bytes)
LOCK_KEY = CACHE_PREFIX + "recompute"
# A recompute takes seconds at a million tasks; if its process dies, the lock frees itself after this.
LOCK_SECONDS = 120
# How long a snapshot stays in the cache: long, so that a stale one is there to serve while another
# request recomputes (whether it is served is decided by its age, not by the cache's expiry).
KEEP_SECONDS = 24 * 3600


# --- The snapshot ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotInfo:
    """When and from what a snapshot was computed; stored with each of its parts."""

    generation: selectors.Generation
    computed_at: dt.datetime
    totals: selectors.ProgressTotals

    @property
    def key(self) -> str:
        return f"{self.generation.entry_id}-{self.generation.sweep_id}-{self.computed_at.timestamp()}"

    def as_of(self) -> str:
        """ "10:00:05 EST": the time in the company's zone to the second, with the zone's abbreviation
        (which also tells the two 01:30s of a fall-back night apart)."""
        return instants.clock(self.computed_at, instants.company_zone(), seconds=True)


def _settings() -> tuple[dt.timedelta, dt.timedelta]:
    max_age = dt.timedelta(seconds=settings.DOCKET_DASHBOARD_MAX_AGE_SECONDS)
    min_refresh = dt.timedelta(seconds=settings.DOCKET_DASHBOARD_MIN_REFRESH_SECONDS)
    return max_age, min_refresh


def _servable(info: SnapshotInfo, current: selectors.Generation, now: dt.datetime) -> bool:
    """Whether ``info``'s snapshot may be served without trying to recompute it."""
    max_age, min_refresh = _settings()
    age = now - info.computed_at
    if age < dt.timedelta(0):  # computed "in the future": the clock was set back; do not trust it
        return False
    if info.generation == current and age < max_age:
        return True
    return age < min_refresh  # stale, but recomputed very recently: bounded recomputation


def _context(
    board: selectors.Dashboard, info: SnapshotInfo, rows: list[selectors.ProgressRow]
) -> dict[str, Any]:
    max_age, min_refresh = _settings()
    charts = board.charts
    return {
        "d": board,
        "now": board.now,
        "info": info,
        "max_age_seconds": int(max_age.total_seconds()),
        "min_refresh_seconds": int(min_refresh.total_seconds()),
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


def _compute(now: dt.datetime, current: selectors.Generation) -> dict[str, Any]:
    """Compute, render and store a snapshot; return its parts as the cache holds them. The generation
    was read before the figures, so a write made meanwhile leaves the snapshot one generation behind
    (recomputed by a later request), never ahead with figures it did not see."""
    board = selectors.dashboard(now=now)
    rows = [selectors.progress_row(p) for p in board.progress]
    info = SnapshotInfo(generation=current, computed_at=now, totals=board.totals)
    live = render_to_string("dashboard/index.html#live", _context(board, info, rows))
    api = JSONRenderer().render(DashboardSerializer(api_summary(board)).data)
    parts = {LIVE_KEY: (info, live), PROGRESS_KEY: (info, rows), API_KEY: (info, api)}
    cache.set_many(parts, timeout=KEEP_SECONDS)
    return parts


def snapshot(part: str, *, now: dt.datetime) -> tuple[SnapshotInfo, Any]:
    """The snapshot's ``part`` (``LIVE_KEY``, ``PROGRESS_KEY`` or ``API_KEY``) to serve at ``now``, recomputing it
    under the rules in the module docstring. One query when it is served from the cache."""
    current = selectors.generation()
    cached = cache.get(part)
    if cached is not None:
        info, value = cached
        if _servable(info, current, now):
            return info, value
        parts = _compute_unless_locked(now, current)
        if parts is None:
            return info, value  # another process is recomputing: this one serves the stale snapshot
        return parts[part]  # type: ignore[no-any-return]
    # Nothing to serve: compute it here, whether or not another request is computing one too.
    return _compute(now, current)[part]  # type: ignore[no-any-return]


def _compute_unless_locked(now: dt.datetime, current: selectors.Generation) -> dict[str, Any] | None:
    """Compute the snapshot unless another process is computing it (the ``cache.add`` lock): its parts, or
    None when the lock was taken."""
    if not cache.add(LOCK_KEY, now, timeout=LOCK_SECONDS):
        return None
    try:
        return _compute(now, current)
    finally:
        cache.delete(LOCK_KEY)


def refresh(*, now: dt.datetime, ahead: dt.timedelta) -> bool:
    """Compute the snapshot before a reader has to: when there is none, when its generation is behind, or
    when it would pass its maximum age within ``ahead`` (the time to the next refresh). Run by the Celery
    task ``refresh_dashboard`` every ``DOCKET_DASHBOARD_REFRESH_SECONDS``; readers keep their own rules
    (``snapshot``), so a worker that is down, or that does not share the web's cache, costs them only the
    wait. Same lock as the readers'; a snapshot computed under ``DOCKET_DASHBOARD_MIN_REFRESH_SECONDS``
    ago is left alone. Returns whether it computed one."""
    current = selectors.generation()
    cached = cache.get(LIVE_KEY)
    if cached is not None:
        info, _ = cached
        max_age, min_refresh = _settings()
        age = now - info.computed_at
        if age >= dt.timedelta(0):
            if info.generation == current and age + ahead < max_age:
                return False
            if age < min_refresh:
                return False
    return _compute_unless_locked(now, current) is not None


# --- Views -------------------------------------------------------------------------------------------


def _refused(request: HttpRequest) -> HttpResponse | None:
    if can(request.user, Action.VIEW):
        return None
    return render(
        request, "403.html", {"reason": "Your account has no role that may see the dashboard."}, status=403
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    refused = _refused(request)
    if refused:
        return refused
    info, live = snapshot(LIVE_KEY, now=timezone.now())
    if getattr(request, "htmx", False):
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
    refused = _refused(request)
    if refused:
        return refused
    info, rows = snapshot(PROGRESS_KEY, now=timezone.now())
    colour = request.GET.get("colour", "")
    if colour not in selectors.COLOURS:
        colour = ""
    shown = [r for r in rows if r.colour == colour] if colour else rows
    page_obj = Paginator(shown, PROGRESS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "info": info,
        "totals": info.totals,
        "colour": colour,
        "colour_label": selectors.COLOUR_LABELS.get(colour, ""),
        "colours": [(c, selectors.COLOUR_LABELS[c], info.totals.of(c)) for c in selectors.COLOURS],
        "page_obj": page_obj,
        "progress_rows": page_obj.object_list,
        "query": f"colour={colour}&" if colour else "",
        "max_age_seconds": settings.DOCKET_DASHBOARD_MAX_AGE_SECONDS,
        "min_refresh_seconds": settings.DOCKET_DASHBOARD_MIN_REFRESH_SECONDS,
        "rag_rule": selectors.RAG_RULE,
        "company_zone": instants.company_zone().key,
    }
    return render(request, "dashboard/progress.html", context)


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/progress/", progress_list, name="dashboard_progress"),
]
