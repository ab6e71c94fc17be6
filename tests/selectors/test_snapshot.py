"""The dashboard snapshot's generation: it moves with every write that changes a figure (the snapshot's
rules are exercised through the page and the API: tests/views/test_dashboard_views.py,
tests/api/test_api_dashboard.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from directives.choices import DirectiveStatus
from directives.selectors import snapshot
from directives.services import directives as directive_services

from .world import NOW, World

pytestmark = pytest.mark.django_db


def test_generation_moves_with_each_write_that_changes_a_figure(
    world: World, legal: Any, engineer: Any, engineer2: Any, django_assert_num_queries: Any
) -> None:
    from directives.choices import AccessState, TaskStatus
    from directives.escalation import sweep as escalation
    from directives.models import Audience, Product
    from directives.services import obligations as obligation_services
    from directives.services import products as product_services
    from directives.services import tasks as task_services

    def moved(write: Any) -> bool:
        before = snapshot.generation()
        write()
        return snapshot.generation() != before

    with django_assert_num_queries(1):
        first = snapshot.generation()
    assert first.entry_id > 0 and len(first.entry_hash) == 64

    later = NOW + dt.timedelta(minutes=1)
    assert moved(
        lambda: task_services.change_task_status(
            task=world.soon, to_status=TaskStatus.IN_PROGRESS, actor=engineer, now=later
        )
    )
    assert moved(
        lambda: task_services.reassign_task(task=world.soon, assignee=engineer2, actor=legal, now=later)
    )
    assert moved(
        lambda: task_services.change_task_due(
            task=world.soon, due_at=NOW + dt.timedelta(days=2), actor=legal, now=later
        )
    )
    assert moved(
        lambda: task_services.resolve_task(task=world.soon, actor=engineer2, resolution="ok", now=later)
    )
    assert moved(lambda: task_services.verify_task(task=world.soon, actor=engineer, now=later))
    assert moved(
        lambda: obligation_services.mark_obligation_met(
            obligation=world.future, met_at=later, actor=legal, now=later
        )
    )
    assert moved(
        lambda: directive_services.transition_directive(
            directive=world.quiet, to_status=DirectiveStatus.UNDER_REVIEW, actor=legal, now=later
        )
    )
    assert moved(
        lambda: product_services.record_access_change(
            product=Product.objects.get(name="Mythos"),
            audiences=list(Audience.objects.all()[:1]),
            state=AccessState.RESTRICTED,
            directive=world.order,
            occurred_at=later,
            actor=engineer,
            now=later,
        )
    )
    # The sweep: a run (the sweep tile) even with nothing due, and entries for what it escalates.
    assert moved(lambda: escalation.sweep(now=later))
    due = NOW + dt.timedelta(days=30)  # everything open is long overdue
    before = snapshot.generation()
    result = escalation.sweep(now=due)
    after = snapshot.generation()
    assert result.escalations > 0 and after.entry_id > before.entry_id and after.sweep_id > before.sweep_id
