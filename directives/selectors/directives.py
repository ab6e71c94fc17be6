"""Reads for legal's pages: the directive list (search and filters) and the directive page.

The directive page runs a fixed number of queries whatever the number of obligations, tasks, products,
documents and timeline entries (asserted in tests/views/test_directive_page.py): every list is one query
with its foreign keys joined, and the timeline's corrections are attached in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from .. import states
from ..choices import DirectiveKind, DirectiveStatus, LinkKind, ObligationStatus
from ..models import (
    Audience,
    Authority,
    Directive,
    DirectiveDocument,
    DirectiveLink,
    DirectiveProduct,
    Evidence,
    Obligation,
    Product,
    ProductAccess,
    RemediationTask,
    TimelineEntry,
)
from ..overdue import is_overdue
from .access import with_all_users_derived
from .search import matching_directive_ids
from .timeline import TimelineRow, group_corrections, timeline_queryset, timeline_rows


def search_directives(qs: QuerySet[Directive], text: str) -> QuerySet[Directive]:
    """The directives with a hit for ``text`` in the search index (``selectors.search``: their own text,
    their documents', tasks' and people's timeline entries), or whose reference or authority contains it
    literally (a reference such as "BIS-ORD-AI-2026-0417" is an identifier, not words)."""
    text = text.strip()
    if not text:
        return qs
    literal = (
        Q(reference__icontains=text)
        | Q(authority__name__icontains=text)
        | Q(authority__short_name__iexact=text)
    )
    matching = matching_directive_ids(text)
    return qs.filter(literal | Q(pk__in=matching)) if matching is not None else qs.filter(literal)


class DirectiveFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Search")
    status = django_filters.ChoiceFilter(
        choices=DirectiveStatus.choices, empty_label="Any status", label="Status"
    )
    authority = django_filters.ModelChoiceFilter(
        queryset=Authority.objects.order_by("name"), empty_label="Any authority", label="Authority"
    )
    kind = django_filters.ChoiceFilter(choices=DirectiveKind.choices, empty_label="Any kind", label="Kind")
    product = django_filters.ModelChoiceFilter(
        queryset=Product.objects.order_by("name"),
        empty_label="Any product",
        method="filter_product",
        label="Product",
    )

    class Meta:
        model = Directive
        fields = ["q", "status", "authority", "kind", "product"]

    def filter_search(self, queryset: QuerySet[Directive], name: str, value: str) -> QuerySet[Directive]:
        return search_directives(queryset, value)

    def filter_product(
        self, queryset: QuerySet[Directive], name: str, value: Product | None
    ) -> QuerySet[Directive]:
        if value is None:
            return queryset
        return queryset.filter(product_links__product=value).distinct()


def directive_list(params: Any) -> DirectiveFilter:
    """The filter set bound to the request's query parameters; ``.qs`` is the page's queryset."""
    base = (
        Directive.objects.select_related("authority")
        .prefetch_related(
            Prefetch(
                "product_links",
                queryset=DirectiveProduct.objects.select_related("product").order_by("product__name"),
            )
        )
        .order_by("-received_at", "-pk")
    )
    return DirectiveFilter(params, queryset=base)


@dataclass(frozen=True)
class ObligationRow:
    obligation: Obligation
    overdue: bool


@dataclass(frozen=True)
class AccessMatrix:
    audiences: list[Audience]
    rows: list[
        tuple[Product, str, list[ProductAccess | None]]
    ]  # product, required action, one cell per audience


@dataclass(frozen=True)
class LinkRow:
    """One link as this directive's page words it: "Amends" EO-2, or "Amended by" BIS-1."""

    link: DirectiveLink
    label: str
    other: Directive
    outgoing: bool  # this directive is the link's source


def link_rows(directive_id: int) -> list[LinkRow]:
    """The directive's links, both directions, grouped by their wording (the link types' order, outgoing
    before incoming), then by the other directive's reference."""
    links = DirectiveLink.objects.filter(Q(source_id=directive_id) | Q(target_id=directive_id))
    rows = [
        LinkRow(
            link=link,
            label=link.label_for(directive_id),
            other=link.other(directive_id),
            outgoing=link.source_id == directive_id,
        )
        for link in links.select_related("source__authority", "target__authority")
    ]
    order = list(LinkKind.values)
    return sorted(
        rows, key=lambda r: (order.index(r.link.kind), not r.outgoing, r.other.reference, r.link.pk)
    )


@dataclass
class DirectivePage:
    """What the directive page shows. ``tasks`` and ``timeline`` are the whole lists, or, when the page
    asked for a limit, the first tasks (active first, soonest due) and the latest entries; the totals are
    always over the whole directive."""

    directive: Directive
    obligations: list[ObligationRow]
    tasks: list[RemediationTask]
    products: list[DirectiveProduct]
    matrix: AccessMatrix
    documents: list[DirectiveDocument]
    timeline: list[TimelineRow]
    allowed_statuses: list[DirectiveStatus]
    links: list[LinkRow] = field(default_factory=list)
    task_total: int = 0
    open_tasks: int = 0
    timeline_total: int = 0

    @property
    def open_obligations(self) -> int:
        return sum(1 for r in self.obligations if r.obligation.status == ObligationStatus.OPEN)

    @property
    def tasks_cut(self) -> bool:
        return len(self.tasks) < self.task_total

    @property
    def timeline_shown(self) -> int:
        """Entries shown: the rows and the corrections beside them."""
        return sum(1 + len(row.corrections) for row in self.timeline)

    @property
    def timeline_cut(self) -> bool:
        return self.timeline_shown < self.timeline_total


def _task_rows(pk: int, limit: int | None) -> tuple[list[RemediationTask], int, int]:
    """The directive's tasks, active first and soonest due first (no due date last), with the total and
    the active count. With ``limit``: the first ``limit`` of them, and the counts in one more query."""
    active = [s.value for s in states.TASK_ACTIVE]
    qs = RemediationTask.objects.filter(directive_id=pk).select_related(
        "assignee", "product", "obligation", "resolved_by", "verified_by"
    )
    is_closed = Case(When(status__in=active, then=Value(0)), default=Value(1), output_field=IntegerField())
    ordered = qs.order_by(is_closed, F("due_at").asc(nulls_last=True), "status", "pk")
    if limit is None:
        tasks = list(ordered)
        return tasks, len(tasks), sum(1 for t in tasks if t.status in active)
    tasks = list(ordered[:limit])
    counts = RemediationTask.objects.filter(directive_id=pk).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(status__in=active))
    )
    return tasks, counts["total"], counts["active"]


def _timeline(pk: int, limit: int | None) -> tuple[list[TimelineRow], int]:
    """The directive's timeline rows, in order; with ``limit``, its latest ``limit`` entries only (a
    correction whose original is older shows as a row of its own), and how many entries it has in all."""
    if limit is None:
        rows = timeline_rows(directive_id=pk)
        return rows, sum(1 + len(r.corrections) for r in rows)
    latest = list(timeline_queryset(directive_id=pk, newest_first=True)[:limit])
    total = TimelineEntry.objects.filter(directive_id=pk).count()  # always: the same queries for every page
    return group_corrections(latest[::-1]), total


def directive_page(
    directive: Directive | int, *, now: Any, task_limit: int | None = None, timeline_limit: int | None = None
) -> DirectivePage:
    """Everything the directive page shows; the report asks for every task and entry (no limits)."""
    pk = directive.pk if isinstance(directive, Directive) else directive
    d = Directive.objects.select_related("authority", "received_by", "created_by").get(pk=pk)
    obligations = list(Obligation.objects.filter(directive_id=pk).order_by("due_at", "pk"))
    tasks, task_total, open_tasks = _task_rows(pk, task_limit)
    timeline, timeline_total = _timeline(pk, timeline_limit)
    links = list(
        DirectiveProduct.objects.filter(directive_id=pk).select_related("product").order_by("product__name")
    )
    audiences = list(Audience.objects.order_by("sort_order", "name"))
    product_ids = [link.product_id for link in links]
    cells: dict[tuple[int, int], ProductAccess] = {
        (pa.product_id, pa.audience_id): pa for pa in ProductAccess.objects.filter(product_id__in=product_ids)
    }
    matrix = AccessMatrix(
        audiences=audiences,
        rows=[
            (
                link.product,
                link.required_action,
                with_all_users_derived(
                    link.product, audiences, [cells.get((link.product_id, a.pk)) for a in audiences]
                ),
            )
            for link in links
        ],
    )
    documents = list(
        DirectiveDocument.objects.filter(directive_id=pk).select_related("uploaded_by").defer("text")
    )
    return DirectivePage(
        directive=d,
        obligations=[
            ObligationRow(o, overdue=o.status == ObligationStatus.OPEN and is_overdue(o.due_at, now))
            for o in obligations
        ],
        tasks=tasks,
        task_total=task_total,
        open_tasks=open_tasks,
        products=links,
        matrix=matrix,
        documents=documents,
        timeline=timeline,
        timeline_total=timeline_total,
        allowed_statuses=sorted(
            states.allowed(states.DIRECTIVE_TRANSITIONS, DirectiveStatus(d.status)),
            key=lambda s: list(DirectiveStatus).index(s),
        ),
        links=link_rows(pk),
    )


@dataclass
class ReportData:
    page: DirectivePage
    evidence: list[Evidence]
    zone: str

    @property
    def directive(self) -> Directive:
        return self.page.directive

    def all_entries(self) -> list[TimelineEntry]:
        """Every timeline entry, by sequence (the order the chain was written)."""
        entries = [row.entry for row in self.page.timeline] + [
            c for row in self.page.timeline for c in row.corrections
        ]
        return sorted(entries, key=lambda e: e.seq)


def report_data(directive: Directive | int, *, now: Any) -> ReportData:
    page = directive_page(directive, now=now)
    evidence = list(
        Evidence.objects.filter(task__directive_id=page.directive.pk)
        .select_related("task", "added_by")
        .order_by("added_at", "pk")
    )
    return ReportData(page=page, evidence=evidence, zone=page.directive.authority.time_zone)
