"""Two sweeps at once on PostgreSQL: SKIP LOCKED shares the rows out, the constraints prove no duplicate."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection, connections

from directives.choices import Priority
from directives.escalation.sweep import SweepResult, sweep
from directives.models import Escalation, Notification, Obligation, RemediationTask
from directives.services.timeline import verify_chain
from tests.factories import make_directive, make_obligation, make_task

from .conftest import DUE

H = dt.timedelta(hours=1)


def run_concurrently(now: dt.datetime, threads: int = 2, batch_size: int = 10) -> list[SweepResult]:
    barrier = threading.Barrier(threads)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            results.append(sweep(now=now, batch_size=batch_size))
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert not errors, errors
    return results


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_create_no_duplicate(people: dict[str, Any]) -> None:
    assert connection.vendor == "postgresql"
    directives = [make_directive(actor=people["legal"], reference=f"CONC-{i}") for i in range(4)]
    tasks = [
        make_task(
            d, actor=people["legal"], priority=Priority.P0, assignee=people["eng"], due_at=DUE, title=f"T{i}"
        )
        for i in range(30)
        for d in directives
    ]
    obligations = [make_obligation(d, actor=people["legal"], amount=2) for d in directives]

    # Three rounds: the reminder alone, level 1, then catch-up to level 3; each swept by two threads at once.
    expected_levels = {DUE - H: [0], DUE: [0, 1], DUE + 5 * H: [0, 1, 2, 3]}
    shared: list[bool] = []
    for now, levels in expected_levels.items():
        results = run_concurrently(now)
        shared.append(all(r.tasks > 0 for r in results))
        assert sum(r.tasks for r in results) == len(tasks)  # every due task handled by exactly one sweep
        for task in tasks:
            assert sorted(Escalation.objects.filter(task=task).values_list("level", flat=True)) == levels

    assert any(shared), "the two sweeps never ran side by side"
    rows = Escalation.objects.filter(task__isnull=False).values_list("task_id", "level", "repeat")
    assert not [key for key, n in Counter(rows).items() if n > 1]
    keys = list(Notification.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys))
    assert set(RemediationTask.objects.values_list("escalation_level", flat=True)) == {3}
    assert set(Obligation.objects.values_list("status", flat=True)) == {"missed"}
    assert Escalation.objects.filter(obligation__in=obligations, level=1).count() == len(obligations)
    for d in directives:
        assert verify_chain(d.pk).ok

    # And once more with nothing new due: nothing is written by either.
    results = run_concurrently(DUE + 5 * H)
    assert sum(r.escalations for r in results) == 0
