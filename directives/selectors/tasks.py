"""Reads for the engineers' pages: the "My tasks" board, the filtered task list and the task page.

Every function here runs a fixed number of queries whatever the number of tasks (select_related for
the foreign keys shown on a card, one query per list), asserted in tests/selectors/test_tasks.py, and
loads a bounded number of rows: the board shows each column's most urgent tasks with exact counts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from ..choices import Priority, Role, TaskStatus
from ..models import Directive, Evidence, Product, RemediationTask, TimelineEntry
from ..overdue import is_overdue, overdue_q
from ..states import TASK_ACTIVE

RECENTLY_VERIFIED = dt.timedelta(days=7)
AWAITING_VERIFICATION_LIMIT = 50
ACTIVE_VALUES = [s.value for s in TASK_ACTIVE]


@dataclass(frozen=True)
class TaskCard:
    """A task as a card or a row shows it: the task and what the page marks on it."""

    task: RemediationTask
    overdue: bool
    escalated: bool

    @property
    def active(self) -> bool:
        return self.task.status in ACTIVE_VALUES


def card(task: RemediationTask, *, now: dt.datetime) -> TaskCard:
    active = task.status in ACTIVE_VALUES
    return TaskCard(
        task=task,
        overdue=active and is_overdue(task.due_at, now),
        escalated=bool(active and task.escalation_level > 0),
    )


def tasks_for_cards() -> QuerySet[RemediationTask]:
    """Tasks with everything a card shows, in one query."""
    return RemediationTask.objects.select_related(
        "directive", "directive__authority", "obligation", "product", "assignee", "resolved_by", "verified_by"
    )


def _by_urgency(qs: QuerySet[RemediationTask]) -> QuerySet[RemediationTask]:
    return qs.order_by(F("due_at").asc(nulls_last=True), "priority", "pk")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    cards: list[TaskCard]  # the most urgent ``COLUMN_LIMIT`` of the column
    empty_text: str
    count: int = 0  # every task of the column, counted by the database
    more_text: str = ""  # what the "N more" link leads to

    @property
    def more(self) -> int:
        """How many of the column's tasks are not on the board (they are in the task list)."""
        return max(self.count - len(self.cards), 0)


@dataclass(frozen=True)
class Board:
    columns: list[Column]
    awaiting_verification: list[TaskCard] | None  # None: the user is not an engineer
    overdue: int
    escalated: int

    @property
    def total(self) -> int:
        return sum(c.count for c in self.columns)

    @property
    def bounded(self) -> bool:
        return any(c.more for c in self.columns)


# The busiest engineer carries thousands of active tasks: a column shows its most urgent ones and links
# to the rest in the task list (same order), so that the page does not grow with the workload.
COLUMN_LIMIT = 50

COLUMNS: list[tuple[str, str, str, str]] = [
    (TaskStatus.OPEN, "Open", "Nothing open. New tasks assigned to you appear here.", "open tasks"),
    (TaskStatus.IN_PROGRESS, "In progress", "Nothing in progress.", "tasks in progress"),
    (TaskStatus.BLOCKED, "Blocked", "Nothing blocked.", "blocked tasks"),
    (
        TaskStatus.RESOLVED,
        "Resolved, awaiting verification",
        "Nothing waiting for a second person.",
        "resolved tasks awaiting verification",
    ),
    (
        TaskStatus.VERIFIED,
        "Recently verified (7 days)",
        "Nothing verified in the last 7 days.",
        "verified in the last 7 days (the list shows all your verified tasks)",
    ),
]


def _on_board(user: Any, now: dt.datetime) -> Q:
    return Q(assignee=user) & (
        Q(status__in=[*ACTIVE_VALUES, TaskStatus.RESOLVED])
        | Q(status=TaskStatus.VERIFIED, verified_at__gte=now - RECENTLY_VERIFIED)
    )


def my_tasks_board(*, user: Any, now: dt.datetime, include_verification: bool) -> Board:
    """The user's tasks by status (verified ones only for 7 days), the most urgent ``COLUMN_LIMIT`` of
    each column, and, for engineers, the resolved tasks someone else resolved that they may verify.
    Three queries whatever the workload: the exact counts (columns, overdue, escalated), the cards (a
    window function numbers each column's tasks in urgency order and keeps the first ``COLUMN_LIMIT``),
    and the tasks awaiting verification."""
    mine = _on_board(user, now)
    counts = RemediationTask.objects.filter(mine).aggregate(
        **{str(key): Count("pk", filter=Q(status=key)) for key, *_ in COLUMNS},
        overdue=Count("pk", filter=overdue_tasks_q(now)),
        escalated=Count("pk", filter=escalated_q()),
    )
    urgency = [F("due_at").asc(nulls_last=True), F("priority").asc(), F("pk").asc()]
    shown = _by_urgency(
        tasks_for_cards()
        .filter(mine)
        .annotate(rank=Window(RowNumber(), partition_by=[F("status")], order_by=urgency))
        .filter(rank__lte=COLUMN_LIMIT)
    )
    cards = [card(t, now=now) for t in shown]
    columns = [
        Column(
            key=str(key),
            label=label,
            cards=[c for c in cards if c.task.status == key],
            empty_text=empty,
            count=counts[str(key)],
            more_text=more,
        )
        for key, label, empty, more in COLUMNS
    ]
    awaiting: list[TaskCard] | None = None
    if include_verification:
        # Most urgent first, like the columns: an index scan on (status, due_at) that stops after
        # ``AWAITING_VERIFICATION_LIMIT`` rows (resolved_at has no index: ordering by it sorts every
        # resolved task in the company).
        to_verify = _by_urgency(
            tasks_for_cards().filter(status=TaskStatus.RESOLVED).exclude(resolved_by=user)
        )[:AWAITING_VERIFICATION_LIMIT]
        awaiting = [card(t, now=now) for t in to_verify]
    return Board(
        columns=columns,
        awaiting_verification=awaiting,
        overdue=counts["overdue"],
        escalated=counts["escalated"],
    )


# What the task list's text search looks in (the page and the API's ``search``): every word must be
# found, in any of these, ignoring case.
TASK_SEARCH_FIELDS = [
    "title",
    "description",
    "resolution",
    "directive__reference",
    "directive__title",
    "product__name",
]
MAX_SEARCH_WORDS = 10

# The columns the task list sorts by (the page and the API's ``ordering``; ``-`` for descending).
TASK_SORTS = {
    "title": "Title",
    "directive__reference": "Directive",
    "status": "Status",
    "priority": "Priority",
    "assignee__username": "Assignee",
    "due_at": "Due",
    "updated_at": "Last change",
}


def search_q(text: str) -> Q:
    """Tasks in which every word of ``text`` is found in one of ``TASK_SEARCH_FIELDS``."""
    condition = Q()
    for word in text.split()[:MAX_SEARCH_WORDS]:
        any_field = Q()
        for name in TASK_SEARCH_FIELDS:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition


def search_tasks(queryset: QuerySet[RemediationTask], text: str) -> QuerySet[RemediationTask]:
    """``queryset`` narrowed to the tasks ``text`` finds (the API's ``search``, like the page's)."""
    return queryset.filter(search_q(text))


def overdue_tasks_q(now: dt.datetime) -> Q:
    """Active tasks whose due instant has passed (overdue.py's rule)."""
    return overdue_q(now) & Q(status__in=ACTIVE_VALUES)


def escalated_q() -> Q:
    """Active tasks on which the escalation ladder has climbed past its reminders."""
    return Q(status__in=ACTIVE_VALUES, escalation_level__gt=0)


def assignee_q(value: str, user: Any) -> Q | None:
    """``me``, ``none`` or a user id; ``None`` for anything else (no filter)."""
    if value == "me":
        return Q(assignee_id=getattr(user, "pk", None))
    if value == "none":
        return Q(assignee__isnull=True)
    if re.fullmatch(r"[0-9]{1,9}", value):
        return Q(assignee_id=int(value))
    return None


def sorted_tasks(qs: QuerySet[RemediationTask], ordering: str) -> QuerySet[RemediationTask]:
    """``qs`` in the order ``ordering`` names (a ``TASK_SORTS`` key, ``-`` for descending; tasks without a
    due date last either way), most urgent first when it names none."""
    name = ordering.removeprefix("-")
    if name not in TASK_SORTS:
        return _by_urgency(qs)
    descending = ordering.startswith("-")
    column = F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
    return qs.order_by(column, "-pk" if descending else "pk")


@dataclass(frozen=True)
class TaskFilters:
    search: str = ""
    status: str = ""
    priority: str = ""
    directive: int | None = None
    product: int | None = None
    assignee: str = ""  # "", "me", "none" or a user id
    overdue: bool = False
    escalated: bool = False
    ordering: str = ""

    @property
    def active(self) -> bool:
        return bool(
            self.search
            or self.status
            or self.priority
            or self.directive
            or self.product
            or self.assignee
            or self.overdue
            or self.escalated
        )


def filtered_tasks(*, filters: TaskFilters, user: Any, now: dt.datetime) -> QuerySet[RemediationTask]:
    """All tasks matching ``filters`` in the order they name, most urgent first by default (lazy: the
    view paginates it)."""
    qs = tasks_for_cards()
    if filters.search:
        qs = qs.filter(search_q(filters.search))
    if filters.status in TaskStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.priority in Priority.values:
        qs = qs.filter(priority=filters.priority)
    if filters.directive:
        qs = qs.filter(directive_id=filters.directive)
    if filters.product:
        qs = qs.filter(product_id=filters.product)
    who = assignee_q(filters.assignee, user)
    if who is not None:
        qs = qs.filter(who)
    if filters.overdue:
        qs = qs.filter(overdue_tasks_q(now))
    if filters.escalated:
        qs = qs.filter(escalated_q())
    return sorted_tasks(qs, filters.ordering)


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """Options of the list's filters: directives, products and the people tasks can be assigned to.
    Three queries."""
    directives = [
        (str(pk), f"{ref}: {title}")
        for pk, ref, title in Directive.objects.order_by("-received_at").values_list(
            "pk", "reference", "title"
        )
    ]
    people = [(str(u.pk), _name(u)) for u in assignable_users()]
    products = [(str(pk), name) for pk, name in Product.objects.order_by("name").values_list("pk", "name")]
    return {"directives": directives, "assignees": people, "products": products}


def assignable_users() -> QuerySet[Any]:
    """Active users who can work a task (engineering or legal), for reassignment and the filter."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.ENGINEERING, Role.LEGAL])
        .distinct()
        .order_by("username")
    )


def _name(user: Any) -> str:
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


@dataclass
class TaskPage:
    task: RemediationTask
    card: TaskCard
    evidence: list[Evidence]
    timeline: list[TimelineEntry]
    last_seq: int = 0


def task_page(*, task_id: int, now: dt.datetime) -> TaskPage:
    """The task with its directive, obligation, product and people, its evidence and its timeline
    entries. Three queries. Raises ``RemediationTask.DoesNotExist``."""
    task = tasks_for_cards().select_related("updated_by", "created_by").get(pk=task_id)
    evidence = list(Evidence.objects.filter(task=task).select_related("added_by").order_by("added_at", "pk"))
    timeline = list(TimelineEntry.objects.filter(task=task).order_by("seq"))
    return TaskPage(
        task=task,
        card=card(task, now=now),
        evidence=evidence,
        timeline=timeline,
        last_seq=timeline[-1].seq if timeline else 0,
    )


def task_entries_since(*, task: RemediationTask, seq: int) -> list[TimelineEntry]:
    """The task's timeline entries written after entry ``seq`` of its directive's chain: what changed
    since a form was rendered."""
    return list(TimelineEntry.objects.filter(task=task, seq__gt=seq).order_by("seq"))
