"""Reads for the executive dashboard. Counting is done by the database (aggregate/annotate with
conditional ``Count(filter=Q(...))``); Python only arranges the rows. ``dashboard(now=...)`` runs a
fixed number of queries whatever the number of directives, obligations, tasks and timeline entries
(asserted in tests/selectors/test_dashboard.py).

Progress colour of a directive (shown on the page under the table):
- red: a missed obligation (marked missed, or still open past its due instant), or an overdue P0/P1 task;
- amber: otherwise, an overdue task, or an open obligation or active task due within 24 hours;
- green: otherwise.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate

from ..choices import AccessState, DirectiveStatus, EntryKind, ObligationStatus, Priority, TaskStatus
from ..models import Audience, Directive, Obligation, Product, ProductAccess, RemediationTask, TimelineEntry
from ..states import DIRECTIVE_ACTIVE, TASK_ACTIVE

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
RAG_RULE = (
    "Red: a missed obligation (marked missed, or open past its due time) or an overdue P0/P1 task. "
    "Amber: otherwise, any overdue task, or an open obligation or active task due within 24 hours. "
    "Green: none of these."
)


def company_zone() -> ZoneInfo:
    return ZoneInfo(settings.DOCKET_COMPANY_TIME_ZONE)


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
    sweep: Sweep | None


def tiles(*, now: dt.datetime) -> Tiles:
    d = Directive.objects.aggregate(
        in_effect=Count("pk", filter=Q(status__in=IN_EFFECT)),
        active=Count("pk", filter=Q(status__in=ACTIVE_DIRECTIVE)),
    )
    o = Obligation.objects.aggregate(
        open=Count("pk", filter=Q(status=ObligationStatus.OPEN)),
        missed=Count("pk", filter=Q(status=ObligationStatus.MISSED)),
        open_past_due=Count("pk", filter=Q(status=ObligationStatus.OPEN, due_at__lt=now)),
    )
    t = RemediationTask.objects.aggregate(
        open=Count("pk", filter=Q(status__in=ACTIVE_TASK)),
        overdue=Count("pk", filter=Q(status__in=ACTIVE_TASK, due_at__lt=now)),
        escalated=Count("pk", filter=Q(status__in=ACTIVE_TASK, escalation_level__gt=0)),
        awaiting=Count("pk", filter=Q(status=TaskStatus.RESOLVED)),
    )
    durations = receipt_to_shutdown()
    return Tiles(
        directives_in_effect=d["in_effect"],
        directives_active=d["active"],
        obligations_open=o["open"],
        obligations_missed=o["missed"],
        obligations_open_past_due=o["open_past_due"],
        tasks_open=t["open"],
        tasks_overdue=t["overdue"],
        tasks_escalated=t["escalated"],
        tasks_awaiting_verification=t["awaiting"],
        median_to_shutdown=median(durations),
        shutdown_samples=len(durations),
        sweep=last_sweep(now=now),
    )


def receipt_to_shutdown() -> list[dt.timedelta]:
    """Per directive with a shutdown: from its RECEIVED timeline entry (the receipt instant) to its first
    ACCESS_CHANGED entry that suspended access. One query; the median is taken in Python because
    SQLite has no median aggregate."""
    entries = TimelineEntry.objects.filter(directive=OuterRef("pk"))
    received = entries.filter(kind=EntryKind.RECEIVED).order_by("seq").values("occurred_at")[:1]
    shutdown = (
        entries.filter(kind=EntryKind.ACCESS_CHANGED, data__state=AccessState.SUSPENDED.value)
        .order_by("occurred_at", "seq")
        .values("occurred_at")[:1]
    )
    rows = (
        Directive.objects.annotate(
            receipt=Coalesce(Subquery(received), "received_at"), shutdown=Subquery(shutdown)
        )
        .filter(shutdown__isnull=False)
        .values_list("receipt", "shutdown")
    )
    return [max(end - start, dt.timedelta(0)) for start, end in rows]


def median(values: list[dt.timedelta]) -> dt.timedelta | None:
    if not values:
        return None
    seconds = statistics.median(v.total_seconds() for v in values)
    return dt.timedelta(seconds=seconds)


def last_sweep(*, now: dt.datetime) -> Sweep | None:
    """The escalation engine's last sweep, if that engine reports one."""
    from ..services import escalation

    reader = getattr(escalation, "last_sweep", None)
    if reader is None:
        return None
    result = reader()
    if not result:
        return None
    finished_at, stats = result
    if finished_at is None:
        return None
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
        return {RED: "Red", AMBER: "Amber", GREEN: "Green"}[self.colour]

    @property
    def percent_done(self) -> int:
        total = self.obligations_total + self.tasks_total
        done = self.obligations_met + self.tasks_done
        return round(100 * done / total) if total else 0


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
    """Every active directive with its colour. Three queries: the directives, then obligation and task
    counts grouped by directive."""
    directives = list(
        Directive.objects.filter(status__in=ACTIVE_DIRECTIVE)
        .select_related("authority")
        .order_by("-received_at")
    )
    soon = now + SOON
    obligation_counts = {
        row["directive_id"]: row
        for row in Obligation.objects.filter(directive__status__in=ACTIVE_DIRECTIVE)
        .order_by()
        .values("directive_id")
        .annotate(
            total=Count("pk"),
            met=Count("pk", filter=Q(status=ObligationStatus.MET)),
            missed=Count(
                "pk",
                filter=Q(status=ObligationStatus.MISSED) | Q(status=ObligationStatus.OPEN, due_at__lt=now),
            ),
            due_soon=Count("pk", filter=Q(status=ObligationStatus.OPEN, due_at__gte=now, due_at__lt=soon)),
        )
    }
    task_counts = {
        row["directive_id"]: row
        for row in RemediationTask.objects.filter(directive__status__in=ACTIVE_DIRECTIVE)
        .order_by()
        .values("directive_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status__in=[TaskStatus.RESOLVED, TaskStatus.VERIFIED])),
            overdue=Count("pk", filter=Q(status__in=ACTIVE_TASK, due_at__lt=now)),
            overdue_urgent=Count("pk", filter=Q(status__in=ACTIVE_TASK, due_at__lt=now, priority__in=URGENT)),
            due_soon=Count("pk", filter=Q(status__in=ACTIVE_TASK, due_at__gte=now, due_at__lt=soon)),
        )
    }
    empty: dict[str, int] = {
        "total": 0,
        "met": 0,
        "missed": 0,
        "due_soon": 0,
        "done": 0,
        "overdue": 0,
        "overdue_urgent": 0,
    }
    rows = []
    for directive in directives:
        o = obligation_counts.get(directive.pk, empty)
        t = task_counts.get(directive.pk, empty)
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
    order = {RED: 0, AMBER: 1, GREEN: 2}
    rows.sort(key=lambda r: order[r.colour])
    return rows


# --- Access matrix -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessRow:
    product: Product
    cells: list[ProductAccess | None]  # one per audience, in the audiences' order


@dataclass(frozen=True)
class AccessMatrix:
    audiences: list[Audience]
    rows: list[AccessRow]


def access_matrix() -> AccessMatrix:
    """Products x audiences with the current access state. Three queries."""
    audiences = list(Audience.objects.order_by("sort_order", "name"))
    products = Product.objects.order_by("name").prefetch_related(
        Prefetch("access", queryset=ProductAccess.objects.order_by(), to_attr="access_rows")
    )
    rows = []
    for product in products:
        by_audience = {pa.audience_id: pa for pa in product.access_rows}
        rows.append(AccessRow(product=product, cells=[by_audience.get(a.pk) for a in audiences]))
    return AccessMatrix(audiences=audiences, rows=rows)


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
    """Open obligations and active tasks due in the next 7 days, soonest first. Two queries."""
    until = now + DEADLINE_WINDOW
    obligations = (
        Obligation.objects.filter(status=ObligationStatus.OPEN, due_at__gte=now, due_at__lt=until)
        .select_related("directive", "directive__authority")
        .order_by("due_at", "pk")[:LIST_LIMIT]
    )
    tasks = (
        RemediationTask.objects.filter(status__in=ACTIVE_TASK, due_at__gte=now, due_at__lt=until)
        .select_related("directive", "directive__authority", "assignee")
        .order_by("due_at", "pk")[:LIST_LIMIT]
    )
    rows = [
        Deadline(due_at=o.due_at, what="Obligation", title=o.title, directive=o.directive, obligation=o)
        for o in obligations
    ]
    rows += [
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
    rows.sort(key=lambda r: r.due_at)
    return rows


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
    timeline's TASK_CREATED and TASK_RESOLVED entries. One query."""
    zone = company_zone()
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
        .annotate(
            created=Count("pk", filter=Q(kind=EntryKind.TASK_CREATED)),
            resolved=Count("pk", filter=Q(kind=EntryKind.TASK_RESOLVED)),
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
    """Active tasks past their due instant, counted per priority (every priority listed). One query."""
    counts = dict(
        RemediationTask.objects.filter(status__in=ACTIVE_TASK, due_at__lt=now)
        .order_by()
        .values("priority")
        .annotate(n=Count("pk"))
        .values_list("priority", "n")
    )
    return {"labels": list(Priority.values), "counts": [counts.get(p, 0) for p in Priority.values]}


# --- Instruments (the article's table) -----------------------------------------------------------


def instruments(*, limit: int = LIST_LIMIT) -> QuerySet[Directive]:
    """Every directive as the article tabulates them: initiative (title), focus (kind and summary), status."""
    return Directive.objects.select_related("authority").order_by("-received_at")[:limit]


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
    rag_rule: str = RAG_RULE
    extra: dict[str, Any] = field(default_factory=dict)


def dashboard(*, now: dt.datetime) -> Dashboard:
    return Dashboard(
        now=now,
        tiles=tiles(now=now),
        progress=progress(now=now),
        matrix=access_matrix(),
        deadlines=upcoming_deadlines(now=now),
        escalations=recent_escalations(now=now),
        charts={
            "openedVsResolved": opened_vs_resolved(now=now),
            "overdueByPriority": overdue_by_priority(now=now),
        },
        instruments=list(instruments()),
    )
