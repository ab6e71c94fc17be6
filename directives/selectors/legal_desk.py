"""Legal's home page: what arrived, what is due this week, what nobody has taken yet.

A fixed number of queries whatever the data (each list is cut at ``LIMIT`` and says how many more there are).
"Overdue" and "missed" come from directives/overdue.py, like everywhere else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from ..choices import DirectiveStatus, ObligationStatus
from ..models import Directive, Obligation, RemediationTask
from ..overdue import is_overdue
from ..states import TASK_ACTIVE

WEEK = dt.timedelta(days=7)
LIMIT = 15
# A directive that has arrived and has not yet been read and decided on.
AWAITING_REVIEW = (DirectiveStatus.RECEIVED, DirectiveStatus.UNDER_REVIEW)


@dataclass(frozen=True)
class Cut:
    """The first ``LIMIT`` rows of a list and how many rows the list has."""

    rows: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class DueRow:
    item: Any  # an Obligation or a RemediationTask
    overdue: bool


@dataclass(frozen=True)
class LegalDesk:
    now: dt.datetime
    until: dt.datetime
    arrived: Cut  # directives received in the last week, or still awaiting review
    obligations_due: Cut  # open obligations due before ``until`` (missed ones first: they are the earliest)
    tasks_due: Cut  # active tasks due before ``until``
    unassigned_tasks: Cut  # active tasks nobody is assigned to
    uncovered_obligations: Cut  # open obligations with no active task

    @property
    def overdue_count(self) -> int:
        return sum(r.overdue for r in self.obligations_due.rows + self.tasks_due.rows)


def _cut(queryset: QuerySet[Any], wrap: Any = None) -> Cut:
    rows = list(queryset[:LIMIT])
    total = len(rows) if len(rows) < LIMIT else queryset.count()
    return Cut(rows=[wrap(r) for r in rows] if wrap else rows, total=total)


def legal_desk(*, now: dt.datetime) -> LegalDesk:
    until = now + WEEK
    arrived = (
        Directive.objects.filter(Q(received_at__gte=now - WEEK) | Q(status__in=AWAITING_REVIEW))
        .select_related("authority")
        .order_by("-received_at", "-pk")
    )
    open_obligations = Obligation.objects.filter(status=ObligationStatus.OPEN).select_related(
        "directive__authority"
    )
    active_tasks = RemediationTask.objects.filter(status__in=TASK_ACTIVE).select_related(
        "directive__authority", "assignee", "product"
    )
    has_active_task = Exists(
        RemediationTask.objects.filter(obligation=OuterRef("pk"), status__in=TASK_ACTIVE)
    )

    def due(row: Any) -> DueRow:
        return DueRow(item=row, overdue=is_overdue(row.due_at, now))

    return LegalDesk(
        now=now,
        until=until,
        arrived=_cut(arrived),
        obligations_due=_cut(open_obligations.filter(due_at__lt=until).order_by("due_at", "pk"), due),
        tasks_due=_cut(active_tasks.filter(due_at__lt=until).order_by("due_at", "pk"), due),
        unassigned_tasks=_cut(
            active_tasks.filter(assignee__isnull=True).order_by(F("due_at").asc(nulls_last=True), "pk")
        ),
        uncovered_obligations=_cut(open_obligations.filter(~has_active_task).order_by("due_at", "pk"), due),
    )
