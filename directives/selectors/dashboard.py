"""Reads for the executive dashboard. Counting is done by the database (aggregate/annotate with
conditional ``Count(filter=Q(...))``); Python only arranges the rows. ``dashboard(now=...)`` runs a
fixed number of queries whatever the number of directives, obligations, tasks and timeline entries
(ten; asserted in tests/selectors/test_dashboard.py):

1. every directive with its authority (directives are few beside their tasks): the
   directive tiles, the progress rows (the active ones) and the instruments table (the newest);
2. receipt and shutdown instants of the directives in effect and of those that had a suspension (the
   median tile and the receipt-to-shutdown table);
3. every obligation's directive, status and due instant (a few per directive): the obligation tiles,
   the progress counts and the obligation deadlines;
4. task counts per directive, one pass over all tasks: the task tiles, the progress counts and the
   overdue-by-priority chart;
5. the last escalation sweep; 6-7. the access matrix (audiences; products left-joined with their access);
8. task deadlines; 9. recent escalations; 10. tasks opened and resolved per day.

No request runs this on its own: ``selectors/snapshot.py`` keeps a snapshot of the rendered figures per
*generation* (the last timeline entry and the last sweep) and recomputes it at most every
``DOCKET_DASHBOARD_MIN_REFRESH_SECONDS``, and at least every ``DOCKET_DASHBOARD_MAX_AGE_SECONDS``.

Progress colour of a directive (shown on the page under the table):
- red: a missed obligation (marked missed, or still open past its due instant), or an overdue P0/P1 task;
- amber: otherwise, an overdue task, or an open obligation or active task due within 24 hours;
- green: otherwise.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate

from .. import instants
from ..choices import AccessState, DirectiveStatus, EntryKind, ObligationStatus, Priority, TaskStatus
from ..models import (
    Directive,
    Obligation,
    RemediationTask,
    SweepRun,
    TimelineEntry,
)
from ..overdue import is_overdue, not_yet_due_q, overdue_q
from ..states import DIRECTIVE_ACTIVE, TASK_ACTIVE
from .access import AccessMatrix, access_matrix

ACTIVE_TASK = [s.value for s in TASK_ACTIVE]
ACTIVE_DIRECTIVE = [s.value for s in DIRECTIVE_ACTIVE]
# "In effect": the order binds the company now (in force, or in force and being remediated).
IN_EFFECT = [DirectiveStatus.IN_EFFECT.value, DirectiveStatus.IN_REMEDIATION.value]
URGENT = [Priority.P0.value, Priority.P1.value]
SOON = dt.timedelta(hours=24)
DEADLINE_WINDOW = dt.timedelta(days=7)
ESCALATION_WINDOW = dt.timedelta(hours=24)
CHART_DAYS = 30
LIST_LIMIT = 100

RED, AMBER, GREEN = "red", "amber", "green"
COLOURS = (RED, AMBER, GREEN)
COLOUR_LABELS = {RED: "Red", AMBER: "Amber", GREEN: "Green"}
RAG_RULE = (
    "Red: a missed obligation (marked missed, or open past its due time) or an overdue P0/P1 task. "
    "Amber: otherwise, any overdue task, or an open obligation or active task due within 24 hours. "
    "Green: none of these."
)


# --- Tiles ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sweep:
    finished_at: dt.datetime
    stats: dict[str, Any]
    age: dt.timedelta


@dataclass(frozen=True)
class Tiles:
    directives_in_effect: int
    directives_active: int
    obligations_open: int
    obligations_missed: int
    obligations_open_past_due: int
    tasks_open: int
    tasks_overdue: int
    tasks_escalated: int
    tasks_awaiting_verification: int
    median_to_shutdown: dt.timedelta | None
    shutdown_samples: int
    shutdown_typed: int  # of the samples, those with no confirmed instant (the typed instant counts)
    sweep: Sweep | None


def tiles(*, now: dt.datetime) -> Tiles:
    return _compute(now=now).tiles


@dataclass(frozen=True)
class Response:
    """A directive in effect: the receipt instant everything counts from, and the shutdown that followed."""

    directive: Directive
    receipt: dt.datetime
    shutdown: dt.datetime | None
    typed: bool = False  # the shutdown instant is only typed: no control confirmed it

    @property
    def to_shutdown(self) -> dt.timedelta | None:
        return None if self.shutdown is None else max(self.shutdown - self.receipt, dt.timedelta(0))


def _receipts(also: list[int]) -> dict[int, tuple[dt.datetime, dt.datetime | None, bool]]:
    """Per directive with a shutdown, and per directive in ``also``: its RECEIVED timeline entry's instant
    (the receipt; the directive's own field if it has none), the shutdown (its first confirmed suspension;
    else the first ACCESS_CHANGED entry that suspended access, as typed) and whether that is only typed. One query: the directives are found through the (kind, occurred_at) index on the few suspension
    entries, and only for those are the two instants looked up."""
    entries = TimelineEntry.objects.filter(directive=OuterRef("pk"))
    received = entries.filter(kind=EntryKind.RECEIVED).order_by("seq").values("occurred_at")[:1]
    suspensions = TimelineEntry.objects.filter(
        kind=EntryKind.ACCESS_CHANGED, data__state=AccessState.SUSPENDED.value
    )
    shutdown = (
        suspensions.filter(directive=OuterRef("pk")).order_by("occurred_at", "seq").values("occurred_at")
    )
    confirmed = TimelineEntry.objects.filter(
        directive=OuterRef("pk"), kind=EntryKind.ACCESS_CONFIRMED, data__suspended=True
    ).order_by("occurred_at", "seq")
    rows = (
        Directive.objects.filter(Q(pk__in=suspensions.values("directive_id")) | Q(pk__in=also))
        .annotate(receipt=Coalesce(Subquery(received), "received_at"), shutdown=Subquery(shutdown[:1]))
        .annotate(confirmed=Subquery(confirmed.values("occurred_at")[:1]))
        .order_by()
        .values_list("pk", "receipt", "confirmed", "shutdown")
    )
    return {pk: (start, seen or end, seen is None and end is not None) for pk, start, seen, end in rows}


def _durations(receipts: dict[int, tuple[dt.datetime, dt.datetime | None, bool]]) -> list[dt.timedelta]:
    return [max(end - start, dt.timedelta(0)) for start, end, _ in receipts.values() if end is not None]


def receipt_to_shutdown() -> list[dt.timedelta]:
    """Per directive with a shutdown: from its receipt to its first suspension (the median is taken in
    Python because SQLite has no median aggregate)."""
    return _durations(_receipts([]))


def median(values: list[dt.timedelta]) -> dt.timedelta | None:
    if not values:
        return None
    seconds = statistics.median(v.total_seconds() for v in values)
    return dt.timedelta(seconds=seconds)


def last_sweep(*, now: dt.datetime) -> Sweep | None:
    """The escalation sweep's last run, if one has run. One query."""
    row = SweepRun.objects.order_by("-finished_at").values_list("finished_at", "stats").first()
    if row is None:
        return None
    finished_at, stats = row
    return Sweep(
        finished_at=finished_at, stats=dict(stats or {}), age=max(now - finished_at, dt.timedelta(0))
    )


# --- Progress per directive ------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    directive: Directive
    colour: str
    reasons: list[str]
    obligations_total: int
    obligations_met: int
    obligations_missed: int
    tasks_total: int
    tasks_done: int
    tasks_overdue: int

    @property
    def label(self) -> str:
        return COLOUR_LABELS[self.colour]

    @property
    def percent_done(self) -> int:
        total = self.obligations_total + self.tasks_total
        done = self.obligations_met + self.tasks_done
        return round(100 * done / total) if total else 0


class ProgressRow(NamedTuple):
    """A progress row as the pages show it, without model instances: what the snapshot keeps for every
    active directive (thousands of rows, so compact: a tuple pickles in a fraction of a model's bytes)."""

    directive_id: int
    title: str
    reference: str
    authority: str
    status_label: str
    colour: str
    reasons: tuple[str, ...]
    obligations_total: int
    obligations_met: int
    obligations_missed: int
    tasks_total: int
    tasks_done: int
    tasks_overdue: int
    percent_done: int

    @property
    def label(self) -> str:
        return COLOUR_LABELS[self.colour]


def progress_row(p: Progress) -> ProgressRow:
    d = p.directive
    return ProgressRow(
        directive_id=d.pk,
        title=d.title,
        reference=d.reference,
        authority=str(d.authority),
        status_label=d.get_status_display(),
        colour=p.colour,
        reasons=tuple(p.reasons),
        obligations_total=p.obligations_total,
        obligations_met=p.obligations_met,
        obligations_missed=p.obligations_missed,
        tasks_total=p.tasks_total,
        tasks_done=p.tasks_done,
        tasks_overdue=p.tasks_overdue,
        percent_done=p.percent_done,
    )


@dataclass(frozen=True)
class ProgressTotals:
    """How many active directives are of each colour (over all of them, whatever a page shows)."""

    red: int = 0
    amber: int = 0
    green: int = 0

    @property
    def total(self) -> int:
        return self.red + self.amber + self.green

    def of(self, colour: str) -> int:
        return {RED: self.red, AMBER: self.amber, GREEN: self.green}.get(colour, self.total)


def totals_of(rows: list[Progress]) -> ProgressTotals:
    counts = {RED: 0, AMBER: 0, GREEN: 0}
    for row in rows:
        counts[row.colour] += 1
    return ProgressTotals(red=counts[RED], amber=counts[AMBER], green=counts[GREEN])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def rag(*, missed: int, overdue_urgent: int, overdue: int, due_soon: int) -> tuple[str, list[str]]:
    """The colour and the reasons for it (the rule is ``RAG_RULE``)."""
    if missed or overdue_urgent:
        reasons = []
        if missed:
            reasons.append(_plural(missed, "missed obligation"))
        if overdue_urgent:
            reasons.append(_plural(overdue_urgent, "overdue P0/P1 task"))
        return RED, reasons
    if overdue or due_soon:
        reasons = []
        if overdue:
            reasons.append(_plural(overdue, "overdue task"))
        if due_soon:
            reasons.append(f"{_plural(due_soon, 'deadline')} within 24 h")
        return AMBER, reasons
    return GREEN, ["nothing overdue or due within 24 h"]


def progress(*, now: dt.datetime) -> list[Progress]:
    """Every active directive with its colour, worst first (newest first within a colour)."""
    return _compute(now=now).progress


# --- Deadlines and escalations -------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    due_at: dt.datetime
    what: str  # "Obligation" or "Task"
    title: str
    directive: Directive
    obligation: Obligation | None = None
    task: RemediationTask | None = None
    who: str = ""


def upcoming_deadlines(*, now: dt.datetime) -> list[Deadline]:
    """Open obligations and active tasks due in the next 7 days, soonest first."""
    return _compute(now=now).deadlines


def _task_deadlines(*, now: dt.datetime) -> list[Deadline]:
    """Active tasks due in the next 7 days, soonest first (at most ``LIST_LIMIT``). One query."""
    tasks = (
        RemediationTask.objects.filter(
            not_yet_due_q(now), status__in=ACTIVE_TASK, due_at__lt=now + DEADLINE_WINDOW
        )
        .select_related("directive", "directive__authority", "assignee")
        .order_by("due_at", "pk")[:LIST_LIMIT]
    )
    return [
        Deadline(
            due_at=t.due_at,
            what="Task",
            title=t.title,
            directive=t.directive,
            task=t,
            who=t.assignee.get_username() if t.assignee else "unassigned",
        )
        for t in tasks
        if t.due_at is not None
    ]


def recent_escalations(*, now: dt.datetime) -> list[TimelineEntry]:
    """ESCALATED timeline entries of the last 24 hours, newest first. One query. (The timeline is the
    record every escalation writes, whatever the escalation engine's own tables are.)"""
    return list(
        TimelineEntry.objects.filter(kind=EntryKind.ESCALATED, occurred_at__gte=now - ESCALATION_WINDOW)
        .select_related("directive", "directive__authority", "task", "obligation")
        .order_by("-occurred_at", "-pk")[:LIST_LIMIT]
    )


# --- Charts ----------------------------------------------------------------------------------------


def opened_vs_resolved(*, now: dt.datetime, days: int = CHART_DAYS) -> dict[str, list[Any]]:
    """Tasks created and resolved per day (company zone) over the last ``days`` days, from the
    timeline's TASK_CREATED and TASK_RESOLVED entries. One query, on the (kind, occurred_at) index.

    Not from RemediationTask.created_at/resolved_at: neither is indexed (a scan of every task), created_at
    is when the row was written rather than when the task was created (a backdated entry), and
    resolved_at is cleared when a task is reopened, while each resolution stays on the record."""
    zone = instants.company_zone()
    today = now.astimezone(zone).date()
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time(0), zone)
    counts = {
        row["day"]: row
        for row in TimelineEntry.objects.filter(
            kind__in=[EntryKind.TASK_CREATED, EntryKind.TASK_RESOLVED],
            occurred_at__gte=start,
            occurred_at__lte=now,
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=zone))
        .order_by()
        .values("day")
        # COUNT(kind), not COUNT(id): every column read is in the (kind, occurred_at) index, so
        # PostgreSQL can answer from the index alone (an index-only scan) instead of visiting each row.
        .annotate(
            created=Count("kind", filter=Q(kind=EntryKind.TASK_CREATED)),
            resolved=Count("kind", filter=Q(kind=EntryKind.TASK_RESOLVED)),
        )
    }
    labels, created, resolved = [], [], []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        row = counts.get(day, {})
        labels.append(day.isoformat())
        created.append(row.get("created", 0))
        resolved.append(row.get("resolved", 0))
    return {"labels": labels, "created": created, "resolved": resolved}


def overdue_by_priority(*, now: dt.datetime) -> dict[str, list[Any]]:
    """Active tasks past their due instant, counted per priority (every priority listed)."""
    chart: dict[str, list[Any]] = _compute(now=now).charts["overdueByPriority"]
    return chart


# --- Instruments (the article's table) -----------------------------------------------------------


def instruments(*, limit: int = LIST_LIMIT) -> QuerySet[Directive]:
    """Every directive as the article tabulates them: initiative (title), focus (kind and summary), status."""
    return Directive.objects.select_related("authority").order_by("-received_at", "-pk")[:limit]


# --- The whole page --------------------------------------------------------------------------------


@dataclass
class Dashboard:
    now: dt.datetime
    tiles: Tiles
    progress: list[Progress]
    matrix: AccessMatrix
    deadlines: list[Deadline]
    escalations: list[TimelineEntry]
    charts: dict[str, Any]
    instruments: list[Directive]
    responses: list[Response] = field(default_factory=list)  # the directives in effect, newest first
    rag_rule: str = RAG_RULE
    totals: ProgressTotals = field(default_factory=ProgressTotals)


def dashboard(*, now: dt.datetime) -> Dashboard:
    """Everything the dashboard shows, as of ``now``. Ten queries (see the module docstring)."""
    return _compute(now=now)


_OBLIGATION_ZERO = {"total": 0, "met": 0, "missed": 0, "due_soon": 0}
_TASK_ZERO = {
    "total": 0,
    "done": 0,
    "active": 0,
    "overdue": 0,
    "overdue_urgent": 0,
    "due_soon": 0,
    "escalated": 0,
    "awaiting": 0,
    **{f"overdue_{p}": 0 for p in Priority.values},
}


def _task_counts(*, now: dt.datetime) -> dict[int, dict[str, int]]:
    """Per directive, every count the page shows of its tasks: one pass over the tasks table."""
    active = Q(status__in=ACTIVE_TASK)
    overdue = active & overdue_q(now)
    return {
        row["directive_id"]: row
        for row in RemediationTask.objects.order_by()
        .values("directive_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status__in=[TaskStatus.RESOLVED, TaskStatus.VERIFIED])),
            active=Count("pk", filter=active),
            overdue=Count("pk", filter=overdue),
            overdue_urgent=Count("pk", filter=overdue & Q(priority__in=URGENT)),
            due_soon=Count("pk", filter=active & not_yet_due_q(now) & Q(due_at__lt=now + SOON)),
            escalated=Count("pk", filter=active & Q(escalation_level__gt=0)),
            awaiting=Count("pk", filter=Q(status=TaskStatus.RESOLVED)),
            **{f"overdue_{p}": Count("pk", filter=overdue & Q(priority=p)) for p in Priority.values},
        )
    }


@dataclass
class _ObligationFigures:
    """Every obligation read once: its directive's counts, the tiles, and the ones due within the window."""

    per_directive: dict[int, dict[str, int]] = field(default_factory=dict)
    open: int = 0
    missed: int = 0
    open_past_due: int = 0
    upcoming: list[tuple[dt.datetime, int, int, str]] = field(default_factory=list)


def _obligation_figures(*, now: dt.datetime) -> _ObligationFigures:
    """Obligations are a few per directive: one query serves their tiles, counts and deadlines."""
    soon, until = now + SOON, now + DEADLINE_WINDOW
    figures = _ObligationFigures(per_directive=defaultdict(lambda: dict(_OBLIGATION_ZERO)))
    for pk, directive_id, title, status, due_at in Obligation.objects.order_by().values_list(
        "pk", "directive_id", "title", "status", "due_at"
    ):
        c = figures.per_directive[directive_id]
        c["total"] += 1
        if status == ObligationStatus.MET:
            c["met"] += 1
        elif status == ObligationStatus.MISSED:
            c["missed"] += 1
            figures.missed += 1
        elif status == ObligationStatus.OPEN:
            figures.open += 1
            if is_overdue(due_at, now):
                c["missed"] += 1
                figures.open_past_due += 1
                continue
            if due_at < soon:
                c["due_soon"] += 1
            if due_at < until:
                figures.upcoming.append((due_at, pk, directive_id, title))
    return figures


def _progress_rows(
    active: list[Directive], obligations: dict[int, dict[str, int]], tasks: dict[int, dict[str, int]]
) -> list[Progress]:
    """Every active directive with its colour, worst first (the directives come newest first)."""
    rows = []
    for directive in active:
        o = obligations.get(directive.pk, _OBLIGATION_ZERO)
        t = tasks.get(directive.pk, _TASK_ZERO)
        colour, reasons = rag(
            missed=o["missed"],
            overdue_urgent=t["overdue_urgent"],
            overdue=t["overdue"],
            due_soon=o["due_soon"] + t["due_soon"],
        )
        rows.append(
            Progress(
                directive=directive,
                colour=colour,
                reasons=reasons,
                obligations_total=o["total"],
                obligations_met=o["met"],
                obligations_missed=o["missed"],
                tasks_total=t["total"],
                tasks_done=t["done"],
                tasks_overdue=t["overdue"],
            )
        )
    rows.sort(key=lambda r: COLOURS.index(r.colour))
    return rows


def _deadlines(
    figures: _ObligationFigures, by_pk: dict[int, Directive], *, now: dt.datetime
) -> list[Deadline]:
    """Obligations and tasks due within the window, soonest first."""
    deadlines = [
        Deadline(
            due_at=due_at,
            what="Obligation",
            title=title,
            directive=by_pk[directive_id],
            obligation=Obligation(pk=pk, directive=by_pk[directive_id], title=title, due_at=due_at),
        )
        for due_at, pk, directive_id, title in sorted(figures.upcoming)[:LIST_LIMIT]
    ]
    deadlines += _task_deadlines(now=now)
    deadlines.sort(key=lambda r: r.due_at)
    return deadlines


def _compute(*, now: dt.datetime) -> Dashboard:
    directives = list(Directive.objects.select_related("authority").order_by("-received_at", "-pk"))
    active = [d for d in directives if d.status in ACTIVE_DIRECTIVE]
    in_effect = [d for d in active if d.status in IN_EFFECT]
    receipts = _receipts([d.pk for d in in_effect])
    durations = _durations(receipts)
    obligations = _obligation_figures(now=now)
    task_counts = _task_counts(now=now)
    task_total = dict(_TASK_ZERO)
    for counts in task_counts.values():
        for key in task_total:
            task_total[key] += counts[key]
    rows = _progress_rows(active, obligations.per_directive, task_counts)
    board_tiles = Tiles(
        directives_in_effect=len(in_effect),
        directives_active=len(active),
        obligations_open=obligations.open,
        obligations_missed=obligations.missed,
        obligations_open_past_due=obligations.open_past_due,
        tasks_open=task_total["active"],
        tasks_overdue=task_total["overdue"],
        tasks_escalated=task_total["escalated"],
        tasks_awaiting_verification=task_total["awaiting"],
        median_to_shutdown=median(durations),
        shutdown_samples=len(durations),
        shutdown_typed=sum(1 for _, _, typed in receipts.values() if typed),
        sweep=last_sweep(now=now),
    )
    return Dashboard(
        now=now,
        tiles=board_tiles,
        progress=rows,
        matrix=access_matrix(),
        deadlines=_deadlines(obligations, {d.pk: d for d in directives}, now=now),
        escalations=recent_escalations(now=now),
        charts={
            "openedVsResolved": opened_vs_resolved(now=now),
            "overdueByPriority": {
                "labels": list(Priority.values),
                "counts": [task_total[f"overdue_{p}"] for p in Priority.values],
            },
        },
        instruments=directives[:LIST_LIMIT],
        responses=[
            Response(
                directive=d, receipt=receipts[d.pk][0], shutdown=receipts[d.pk][1], typed=receipts[d.pk][2]
            )
            for d in in_effect
            if d.pk in receipts
        ],
        totals=totals_of(rows),
    )
