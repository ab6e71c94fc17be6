"""Dashboard numbers on known data, and a query count that does not grow with the data."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directives.choices import DirectiveStatus
from directives.selectors import dashboard as selectors
from directives.services import directives as directive_services

from .world import NOW, World, add_noise

pytestmark = pytest.mark.django_db


def test_tiles_count_what_the_data_says(world: World) -> None:
    tiles = selectors.tiles(now=NOW)
    assert tiles.directives_in_effect == 1  # only the order is in effect; the others are received
    assert tiles.directives_active == 3
    assert (tiles.obligations_open, tiles.obligations_missed, tiles.obligations_open_past_due) == (2, 1, 0)
    # active: overdue_p0, soon, blocked, escalated, late_p3; overdue: overdue_p0, late_p3
    assert (tiles.tasks_open, tiles.tasks_overdue, tiles.tasks_escalated) == (5, 2, 1)
    assert tiles.tasks_awaiting_verification == 1
    assert tiles.median_to_shutdown == dt.timedelta(minutes=27)
    assert tiles.shutdown_samples == 1


def test_median_receipt_to_shutdown_over_several_directives(world: World, legal: Any, engineer: Any) -> None:
    from directives.choices import AccessState
    from directives.models import Audience
    from directives.services.products import record_access_change

    from ..factories import make_product

    # A second directive whose shutdown took 60 minutes, a third 10 minutes: median of 10, 27, 60 is 27.
    for minutes, title in ((60, "Second"), (10, "Third")):
        from ..factories import make_directive

        directive = make_directive(actor=legal, title=title, reference=f"M-{minutes}")
        record_access_change(
            product=make_product(f"P-{minutes}"),
            audiences=list(Audience.objects.all()[:1]),
            state=AccessState.SUSPENDED,
            directive=directive,
            occurred_at=directive.received_at + dt.timedelta(minutes=minutes),
            actor=engineer,
            now=directive.received_at + dt.timedelta(minutes=minutes + 1),
        )
    assert sorted(selectors.receipt_to_shutdown()) == [dt.timedelta(minutes=m) for m in (10, 27, 60)]
    assert selectors.tiles(now=NOW).median_to_shutdown == dt.timedelta(minutes=27)


def test_restriction_is_not_a_shutdown(world: World, legal: Any, engineer: Any) -> None:
    from directives.choices import AccessState
    from directives.models import Audience
    from directives.services.products import record_access_change

    from ..factories import make_directive, make_product

    directive = make_directive(actor=legal, title="Restricted only", reference="R-1")
    record_access_change(
        product=make_product("Restricted"),
        audiences=list(Audience.objects.all()[:1]),
        state=AccessState.RESTRICTED,
        directive=directive,
        occurred_at=directive.received_at + dt.timedelta(hours=1),
        actor=engineer,
        now=directive.received_at + dt.timedelta(hours=2),
    )
    assert selectors.receipt_to_shutdown() == [dt.timedelta(minutes=27)]


def test_progress_colours_follow_the_rule(world: World) -> None:
    rows = {p.directive.pk: p for p in selectors.progress(now=NOW)}
    order, late, quiet = rows[world.order.pk], rows[world.late.pk], rows[world.quiet.pk]
    assert order.colour == "red"
    assert order.reasons == ["1 missed obligation", "1 overdue P0/P1 task"]
    assert (order.obligations_met, order.obligations_total, order.tasks_done, order.tasks_total) == (
        1,
        3,
        2,
        6,
    )
    assert late.colour == "amber" and late.reasons == ["1 overdue task"]
    assert quiet.colour == "green" and quiet.label == "Green"
    # worst first
    assert [p.colour for p in rows.values()] == sorted(
        (p.colour for p in rows.values()), key=["red", "amber", "green"].index
    )


def test_amber_for_a_deadline_within_24_hours(world: World) -> None:
    # 12 h before the quiet directive's obligation is due, it turns amber.
    when = world.quiet_obligation.due_at - dt.timedelta(hours=12)
    rows = {p.directive.pk: p for p in selectors.progress(now=when)}
    assert rows[world.quiet.pk].colour == "amber"
    assert rows[world.quiet.pk].reasons == ["1 deadline within 24 h"]


def test_rag_rule_unit() -> None:
    assert selectors.rag(missed=0, overdue_urgent=0, overdue=0, due_soon=0)[0] == "green"
    assert selectors.rag(missed=0, overdue_urgent=0, overdue=0, due_soon=2) == (
        "amber",
        ["2 deadlines within 24 h"],
    )
    assert selectors.rag(missed=0, overdue_urgent=1, overdue=1, due_soon=0)[0] == "red"
    assert selectors.rag(missed=2, overdue_urgent=0, overdue=0, due_soon=5) == (
        "red",
        ["2 missed obligations"],
    )


def test_closed_directives_leave_progress(world: World, legal: Any) -> None:
    directive_services.transition_directive(
        directive=world.quiet, to_status=DirectiveStatus.WITHDRAWN, actor=legal, now=NOW
    )
    assert world.quiet.pk not in {p.directive.pk for p in selectors.progress(now=NOW)}


def test_access_matrix(world: World) -> None:
    matrix = selectors.access_matrix()
    assert [a.key for a in matrix.audiences][:2] == ["all-users", "foreign-nationals"]
    states = {row.product.name: [c.state if c else None for c in row.cells] for row in matrix.rows}
    assert set(states["Fable 5"]) == {"suspended"}
    assert set(states["Mythos"]) == {"available"}


def test_deadlines_in_the_next_7_days(world: World) -> None:
    rows = selectors.upcoming_deadlines(now=NOW)
    assert [(r.what, r.title) for r in rows] == [
        ("Task", "Draft the plan"),  # NOW + 12 h
        ("Obligation", "Answer the questionnaire"),  # Monday 17:21 ET
        ("Task", "Red-team suite"),  # NOW + 3 d; resolved/verified tasks are not deadlines any more
    ]
    assert rows[0].who == "eng-test"


def test_escalations_of_the_last_24_hours(world: World) -> None:
    entries = selectors.recent_escalations(now=NOW)
    assert [e.summary for e in entries] == ["Escalated to level 1: Red-team suite"]


def test_opened_vs_resolved_by_company_day(world: World) -> None:
    chart = selectors.opened_vs_resolved(now=NOW)
    assert len(chart["labels"]) == 30 and chart["labels"][-1] == "2026-11-29"
    by_day = dict(zip(chart["labels"], zip(chart["created"], chart["resolved"], strict=True), strict=True))
    # 7 tasks created Friday evening ET (after 17:21 ET = after 22:21Z, still Friday in New York)
    assert by_day["2026-11-27"] == (7, 0)
    # both resolutions on Saturday ET
    assert by_day["2026-11-28"] == (0, 2)
    assert sum(chart["created"]) == 7 and sum(chart["resolved"]) == 2


def test_overdue_by_priority(world: World) -> None:
    assert selectors.overdue_by_priority(now=NOW) == {
        "labels": ["P0", "P1", "P2", "P3"],
        "counts": [1, 0, 0, 1],
    }


def test_instruments_table(world: World) -> None:
    titles = [d.title for d in selectors.instruments()]
    assert set(titles) == {"Order to block foreign nationals", "Assessment", "Designation"}


def test_last_sweep_is_reported_or_none(world: World) -> None:
    sweep = selectors.last_sweep(now=NOW)
    from directives.escalation import sweep as escalation

    if not hasattr(escalation, "last_sweep") or escalation.last_sweep() is None:
        assert sweep is None
    else:
        assert sweep is not None and sweep.age >= dt.timedelta(0)


def _count(func: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_dashboard_query_count_does_not_grow(
    world: World, legal: Any, engineer: Any, engineer2: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(10):  # listed in the selector's docstring
        small = selectors.dashboard(now=NOW)
    add_noise(legal=legal, engineer=engineer, engineer2=engineer2, directives=6, tasks=6)
    with django_assert_num_queries(10):
        big = selectors.dashboard(now=NOW)
    assert len(big.progress) == 3 + 6
    assert big.tiles.tasks_open > small.tiles.tasks_open == 5
    assert big.totals.total == 9 and len(big.instruments) == 9


def test_whole_board_agrees_with_its_parts(world: World) -> None:
    board = selectors.dashboard(now=NOW)
    assert board.tiles == selectors.tiles(now=NOW)
    assert [p.directive.pk for p in board.progress] == [p.directive.pk for p in selectors.progress(now=NOW)]
    assert board.charts["overdueByPriority"] == selectors.overdue_by_priority(now=NOW)
    assert board.charts["openedVsResolved"] == selectors.opened_vs_resolved(now=NOW)
    assert [d.pk for d in board.instruments] == [d.pk for d in selectors.instruments()]
    assert [(r.what, r.title) for r in board.deadlines] == [
        (r.what, r.title) for r in selectors.upcoming_deadlines(now=NOW)
    ]
    assert board.totals == selectors.ProgressTotals(red=1, amber=1, green=1)


def test_progress_rows_keep_what_the_table_shows(world: World) -> None:
    order = next(p for p in selectors.progress(now=NOW) if p.directive.pk == world.order.pk)
    row = selectors.progress_row(order)
    assert row.directive_id == world.order.pk and row.title == "Order to block foreign nationals"
    assert (row.colour, row.label, row.status_label) == ("red", "Red", "In effect")
    assert row.reasons == ("1 missed obligation", "1 overdue P0/P1 task")
    assert (row.obligations_met, row.obligations_total, row.tasks_done, row.tasks_total) == (1, 3, 2, 6)
    assert row.percent_done == order.percent_done == 33
    assert pickle.loads(pickle.dumps(row)) == row  # noqa: S301 (our own row: the snapshot keeps it in the cache)


def test_access_matrix_keeps_a_product_without_access_rows(world: World) -> None:
    from directives.models import Product

    Product.objects.create(name="Unreleased")  # no access row for any audience (e.g. made in the admin)
    rows = {row.product.name: row.cells for row in selectors.access_matrix().rows}
    assert set(rows["Unreleased"]) == {None}  # "not tracked" in every column
    assert [name for name in rows] == sorted(rows)
