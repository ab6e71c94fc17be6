"""My tasks board, the filtered list and the task page: right tasks in the right places, fixed query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directives.selectors import tasks as selectors
from directives.selectors.tasks import TaskFilters

from .world import NOW, World, add_noise

pytestmark = pytest.mark.django_db


def _titles(cards: list[selectors.TaskCard]) -> list[str]:
    return [c.task.title for c in cards]


def test_board_columns_for_the_engineer(world: World, engineer: Any) -> None:
    board = selectors.my_tasks_board(user=engineer, now=NOW, include_verification=True)
    columns = {c.key: _titles(c.cards) for c in board.columns}
    assert columns == {
        "open": ["Draft the plan", "Red-team suite"],  # soonest due first
        "in_progress": ["Patch the jailbreak"],
        "blocked": [],
        "resolved": ["Kill switch"],
        "verified": ["Block API"],
    }
    assert board.overdue == 1 and board.escalated == 1 and board.total == 5 and not board.bounded
    assert [c.count for c in board.columns] == [2, 1, 0, 1, 1]
    patch = board.columns[1].cards[0]
    assert patch.overdue and not patch.escalated
    # engineer resolved "Kill switch" themself: nothing for them to verify
    assert board.awaiting_verification == []


def test_awaiting_verification_lists_what_someone_else_resolved(
    world: World, engineer: Any, engineer2: Any, legal: Any
) -> None:
    board = selectors.my_tasks_board(user=engineer2, now=NOW, include_verification=True)
    assert _titles(board.awaiting_verification or []) == ["Kill switch"]
    # most urgent first: a resolution made later but due sooner comes first
    from directives.services import tasks as task_services

    sooner = task_services.create_task(
        directive=world.order, title="Due sooner", actor=legal, now=NOW, assignee=engineer, due_at=NOW
    )
    task_services.resolve_task(task=sooner, actor=engineer, resolution="done", now=NOW)
    board = selectors.my_tasks_board(user=engineer2, now=NOW, include_verification=True)
    assert _titles(board.awaiting_verification or []) == ["Due sooner", "Kill switch"]
    assert {c.key: _titles(c.cards) for c in board.columns}["blocked"] == ["Federal release"]


def test_verified_leaves_the_board_after_7_days(world: World, engineer: Any) -> None:
    assert world.verified.verified_at is not None
    later = world.verified.verified_at + dt.timedelta(days=8)
    board = selectors.my_tasks_board(user=engineer, now=later, include_verification=False)
    assert {c.key: _titles(c.cards) for c in board.columns}["verified"] == []
    assert board.awaiting_verification is None


def test_columns_show_the_most_urgent_with_exact_counts(
    world: World, engineer: Any, legal: Any, django_assert_num_queries: Any
) -> None:
    from directives.services import tasks as task_services

    for n in range(53):  # overdue, so more urgent than anything the engineer had open
        task_services.create_task(
            directive=world.order,
            title=f"Bulk {n:02d}",
            actor=legal,
            now=NOW,
            assignee=engineer,
            due_at=NOW - dt.timedelta(minutes=10 * (n + 1)),
        )
    with django_assert_num_queries(3):  # counts, cards, awaiting verification
        board = selectors.my_tasks_board(user=engineer, now=NOW, include_verification=True)
    columns = {c.key: c for c in board.columns}
    assert selectors.COLUMN_LIMIT == 50
    assert (columns["open"].count, len(columns["open"].cards), columns["open"].more) == (55, 50, 5)
    assert _titles(columns["open"].cards) == [f"Bulk {n:02d}" for n in range(52, 2, -1)]
    assert {c.key: (c.count, c.more) for c in board.columns if c.key != "open"} == {
        "in_progress": (1, 0),
        "blocked": (0, 0),
        "resolved": (1, 0),
        "verified": (1, 0),
    }
    assert board.total == 58 and board.bounded
    # exact, though "Red-team suite" (escalated) and "Draft the plan" are not among the cards
    assert (board.overdue, board.escalated) == (54, 1)
    assert sum(c.escalated for col in board.columns for c in col.cards) == 0


def test_filters(world: World, engineer: Any, engineer2: Any) -> None:
    def titles(**kw: Any) -> set[str]:
        return {t.title for t in selectors.filtered_tasks(filters=TaskFilters(**kw), user=engineer, now=NOW)}

    assert len(titles()) == 7
    assert titles(status="blocked") == {"Federal release"}
    assert titles(priority="P0") == {"Patch the jailbreak", "Block API"}
    assert titles(overdue=True) == {"Patch the jailbreak", "Low priority overdue"}
    assert titles(directive=world.late.pk) == {"Low priority overdue"}
    assert titles(assignee="me", status="open") == {"Draft the plan", "Red-team suite"}
    assert titles(assignee=str(engineer2.pk)) == {"Federal release", "Low priority overdue"}
    assert titles(assignee="none") == set()
    assert titles(status="nonsense") == titles()  # an unknown value filters nothing rather than failing


def test_task_page(world: World) -> None:
    page = selectors.task_page(task_id=world.resolved.pk, now=NOW)
    kinds = [e.kind for e in page.timeline]
    assert kinds[0] == "task_created" and "task_resolved" in kinds  # (+ the escalation engine's own entries)
    assert all(e.task_id == world.resolved.pk for e in page.timeline)
    assert page.last_seq == page.timeline[-1].seq
    assert [e.url for e in page.evidence] == ["https://status.example/1"]
    assert selectors.task_entries_since(task=world.resolved, seq=page.timeline[0].seq) == page.timeline[1:]


def _count(func: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow(
    world: World, legal: Any, engineer: Any, engineer2: Any, django_assert_num_queries: Any
) -> None:
    def board() -> None:
        b = selectors.my_tasks_board(user=engineer, now=NOW, include_verification=True)
        for column in b.columns:
            for c in column.cards:  # what the card template touches
                _ = (c.task.directive.reference, c.task.product, c.task.assignee, c.task.resolved_by)
        for c in b.awaiting_verification or []:
            _ = (c.task.directive.reference, c.task.resolved_by)

    def page() -> None:
        p = selectors.task_page(task_id=world.resolved.pk, now=NOW)
        _ = (p.task.directive.authority.time_zone, p.task.obligation, p.task.updated_by)
        for e in p.evidence:
            _ = e.added_by

    def listing() -> None:
        for t in selectors.filtered_tasks(filters=TaskFilters(), user=engineer, now=NOW)[:25]:
            _ = (t.directive.reference, t.assignee, t.product)

    counts = (_count(board), _count(page), _count(listing))
    add_noise(legal=legal, engineer=engineer, engineer2=engineer2, directives=5, tasks=6)
    with django_assert_num_queries(counts[0]):
        board()
    with django_assert_num_queries(counts[1]):
        page()
    with django_assert_num_queries(counts[2]):
        listing()
