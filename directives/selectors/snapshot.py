"""The dashboard's snapshot: its figures computed once, rendered once, and served from Django's cache.

``dashboard(now=...)`` counts over every task, obligation and directive (ten queries, over the largest tables), so
no request runs it on its own: the figures are computed into a snapshot of *parts*, each stored in the
cache with the ``SnapshotInfo`` it came from:

- ``PROGRESS``: every active directive's progress row, worst first (``ProgressRow``), for the paged list;
- each part installed with ``install`` (by ``directives/apps.py``, in every process: web and worker): the
  page's live fragment (``LIVE``, rendered by ``views/dashboard.py``) and the API's summary rendered to
  JSON (``API``, by ``api/dashboard.py``). A computation renders every part from the same figures, so the
  page and the API always agree and a reader never renders.

A reader (``serve``) reads the current generation (one statement of index probes: the last timeline entry
and sweep) and:

- serves the part if its generation is the current one and it is younger than
  ``DOCKET_DASHBOARD_MAX_AGE_SECONDS`` (overdue counts change with the clock);
- serves it anyway while it is younger than ``DOCKET_DASHBOARD_MIN_REFRESH_SECONDS``, so that a stream of
  writes cannot make every request recompute;
- otherwise recomputes the snapshot, one computation at a time (a ``cache.add`` lock over every process
  sharing the cache: the default file cache, or Redis; best effort on files); a reader that finds the lock
  taken serves the stale part, and one that finds no part at all computes it itself.

The Celery task ``refresh_dashboard`` (every ``DOCKET_DASHBOARD_REFRESH_SECONDS``) computes it ahead of the
readers (``refresh``), so that a reader computes only after a write, or when no worker shares the cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .. import instants
from ..models import SweepRun, TimelineEntry
from .dashboard import Dashboard, ProgressRow, ProgressTotals, dashboard, progress_row

# The version names the shape of what is stored (pickled): bump it when SnapshotInfo, Generation,
# ProgressTotals or ProgressRow change, or move, so that a shared cache never hands a release an old shape.
CACHE_PREFIX = "docket:dashboard:v5:"
LIVE, PROGRESS, API = "live", "progress", "api"
INFO_KEY = CACHE_PREFIX + "info"  # the SnapshotInfo alone, for the worker's check
LOCK_KEY = CACHE_PREFIX + "recompute"
# A computation can take seconds; if its process dies, the lock frees itself after this.
LOCK_SECONDS = 120
# How long a part stays in the cache: long, so that a stale one is there to serve while another request
# recomputes (whether it is served is decided by its age, not by the cache's expiry).
KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Generation:
    """What the figures were computed from. Every write that changes a figure appends a timeline entry
    in the same transaction (services: log_directive, transition_directive, add/met/waive obligation,
    record_access_change, create/change status/resolve/verify/reassign/change due of a task; the
    escalation sweep writes ESCALATED/REMINDER_SENT/OBLIGATION_MISSED entries with the levels and
    statuses it changes), so the last entry moves whenever a figure can. The entry's hash is part of it
    because an id can come back (SQLite reuses the ids of a rolled-back transaction; a restored backup).
    The last sweep run is part of it for the sweep tile, the one figure no entry records.

    Not covered, and so only as fresh as the snapshot's maximum age: writes that bypass the services
    (the admin, a shell), ``create_product`` (a new product row in the matrix), the clock (overdue
    counts), and on PostgreSQL an entry whose transaction commits after a later-numbered one."""

    entry_id: int
    entry_hash: str
    sweep_id: int


def generation() -> Generation:
    """One statement of three index probes (the primary keys' indexes); no table is scanned."""
    qn = connection.ops.quote_name
    entries, sweeps = qn(TimelineEntry._meta.db_table), qn(SweepRun._meta.db_table)
    sql = (
        f"SELECT (SELECT id FROM {entries} ORDER BY id DESC LIMIT 1), "  # noqa: S608 (table names only)
        f"(SELECT hash FROM {entries} ORDER BY id DESC LIMIT 1), "
        f"(SELECT id FROM {sweeps} ORDER BY id DESC LIMIT 1)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        entry_id, entry_hash, sweep_id = cursor.fetchone()
    return Generation(entry_id=entry_id or 0, entry_hash=entry_hash or "", sweep_id=sweep_id or 0)


@dataclass(frozen=True)
class SnapshotInfo:
    """When and from what a snapshot was computed; stored with each of its parts."""

    generation: Generation
    computed_at: dt.datetime
    totals: ProgressTotals

    @property
    def key(self) -> str:
        return f"{self.generation.entry_id}-{self.generation.sweep_id}-{self.computed_at.timestamp()}"

    def as_of(self) -> str:
        """ "10:00:05 EST": the time in the company's zone to the second, with the zone's abbreviation
        (which also tells the two 01:30s of a fall-back night apart)."""
        return instants.clock(self.computed_at, instants.company_zone(), seconds=True)


# How a part is rendered from the figures: the whole dashboard, the snapshot's info, the progress rows.
Render = Callable[[Dashboard, SnapshotInfo, list[ProgressRow]], Any]
_renderers: dict[str, Render] = {}


def install(renderers: dict[str, Render]) -> None:
    """The parts every computation renders besides ``PROGRESS`` (``directives/apps.py`` installs them)."""
    _renderers.update(renderers)


def max_age() -> dt.timedelta:
    return dt.timedelta(seconds=settings.DOCKET_DASHBOARD_MAX_AGE_SECONDS)


def min_refresh() -> dt.timedelta:
    return dt.timedelta(seconds=settings.DOCKET_DASHBOARD_MIN_REFRESH_SECONDS)


def _servable(info: SnapshotInfo, current: Generation, now: dt.datetime) -> bool:
    """Whether ``info``'s snapshot may be served without trying to recompute it."""
    age = now - info.computed_at
    if age < dt.timedelta(0):  # computed "in the future": the clock was set back; do not trust it
        return False
    if info.generation == current and age < max_age():
        return True
    return age < min_refresh()  # stale, but recomputed very recently: bounded recomputation


def _compute(now: dt.datetime, current: Generation) -> dict[str, tuple[SnapshotInfo, Any]]:
    """Compute, render and store a snapshot; return its parts as the cache holds them. The generation
    was read before the figures, so a write made meanwhile leaves the snapshot one generation behind
    (recomputed by a later request), never ahead with figures it did not see."""
    board = dashboard(now=now)
    rows = [progress_row(p) for p in board.progress]
    info = SnapshotInfo(generation=current, computed_at=now, totals=board.totals)
    parts: dict[str, tuple[SnapshotInfo, Any]] = {PROGRESS: (info, rows)}
    for name, render in _renderers.items():
        parts[name] = (info, render(board, info, rows))
    stored: dict[str, Any] = {CACHE_PREFIX + name: value for name, value in parts.items()}
    cache.set_many({**stored, INFO_KEY: info}, timeout=KEEP_SECONDS)
    return parts


def _compute_unless_locked(
    now: dt.datetime, current: Generation
) -> dict[str, tuple[SnapshotInfo, Any]] | None:
    """Compute the snapshot unless another process is computing it (the ``cache.add`` lock): its parts, or
    None when the lock was taken."""
    if not cache.add(LOCK_KEY, now, timeout=LOCK_SECONDS):
        return None
    try:
        return _compute(now, current)
    finally:
        cache.delete(LOCK_KEY)


def serve(part: str, *, now: dt.datetime) -> tuple[SnapshotInfo, Any]:
    """The snapshot's ``part`` (``LIVE``, ``PROGRESS``, ``API``) to serve at ``now``, recomputed under the
    rules above. One query when it is served from the cache."""
    if part != PROGRESS and part not in _renderers:
        raise LookupError(f"No dashboard part {part!r} is installed.")
    current = generation()
    cached = cache.get(CACHE_PREFIX + part)
    if cached is not None:
        info, value = cached
        if _servable(info, current, now):
            return info, value
        parts = _compute_unless_locked(now, current)
        if parts is None:
            return info, value  # another process is recomputing: this one serves the stale part
        return parts[part]
    # Nothing to serve: compute it here, whether or not another request is computing one too.
    return _compute(now, current)[part]


def refresh(*, now: dt.datetime, ahead: dt.timedelta) -> bool:
    """Compute the snapshot before a reader has to: when there is none, when its generation is behind, or
    when it would pass its maximum age within ``ahead`` (the time to the next refresh). Readers keep their
    own rules (``serve``), so a worker that is down, or that does not share the web's cache, costs them
    only the wait. Same lock as the readers'; a snapshot computed under the minimum refresh interval ago
    is left alone. Returns whether it computed one."""
    current = generation()
    info = cache.get(INFO_KEY)
    if info is not None:
        age = now - info.computed_at
        if age >= dt.timedelta(0):
            if info.generation == current and age + ahead < max_age():
                return False
            if age < min_refresh():
                return False
    return _compute_unless_locked(now, current) is not None
