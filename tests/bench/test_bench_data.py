"""The benchmark data generator makes the rows it promises, consistent with the escalation engine, and a
timeline whose hash chains verify. (The benchmarks themselves live in bench/, not in the test suite.)"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bench.bench_data import Command
from directives.choices import TaskStatus
from directives.escalation.hooks import next_escalation_for_task
from directives.escalation.sweep import sweep
from directives.models import Directive, Escalation, Obligation, RemediationTask, TimelineEntry
from directives.services.integrity import verify_record
from directives.states import TASK_ACTIVE

from ..db_guards import as_owner

NOW = dt.datetime(2026, 11, 27, 22, 40, tzinfo=dt.UTC)


def _generate(**options: Any) -> dict[str, Any]:
    out = io.StringIO()
    with as_owner():  # an operator's tool: it reserves ids with setval, which the runtime role may not
        call_command(Command(), now=NOW.isoformat(), stdout=out, stderr=io.StringIO(), verbosity=0, **options)
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


@pytest.mark.django_db
def test_bench_data_makes_the_promised_tasks_and_a_valid_timeline() -> None:
    report = _generate(tasks=200, due=20)

    active = RemediationTask.objects.filter(status__in=TASK_ACTIVE)
    assert active.count() == 200
    assert (
        RemediationTask.objects.exclude(status__in=TASK_ACTIVE).count() == 50
    )  # --closed defaults to tasks/4
    due = active.filter(next_escalation_at__lte=NOW)
    assert due.count() == 20
    # Newly due: in the last few minutes before the sweep's instant, their reminder already sent.
    assert not due.filter(next_escalation_at__lt=NOW - dt.timedelta(minutes=5)).exists()
    assert all(t.escalation_level == 0 for t in due)
    assert Escalation.objects.filter(task__in=due, reminder=True).count() == 20
    assert (
        not RemediationTask.objects.exclude(status__in=TASK_ACTIVE).exclude(next_escalation_at=None).exists()
    )
    assert not Obligation.objects.filter(status="open", next_escalation_at__lte=NOW).exists()
    # A realistic spread: every status and priority, some work overdue and already escalated.
    assert {t.status for t in RemediationTask.objects.all()} == set(TaskStatus.values)
    assert RemediationTask.objects.values("priority").distinct().count() == 4
    assert Escalation.objects.filter(reminder=False).exists()
    assert (
        TimelineEntry.objects.filter(kind="escalated").count()
        == Escalation.objects.filter(reminder=False).count()
    )
    # The marker is what the escalation engine itself computes, for every task.
    for task in RemediationTask.objects.all():
        assert task.next_escalation_at == next_escalation_for_task(task, now=NOW), task.pk

    record = verify_record()
    reports = record.chains
    assert reports and record.ok
    assert sum(r.entries for r in reports) == TimelineEntry.objects.count() == report["timeline_entries"]
    assert report["tasks"] == 250 and report["due"] == 20
    assert Directive.objects.count() == report["directives"] == 2
    # Every task has its creation on its directive's chain.
    assert TimelineEntry.objects.filter(kind="task_created").count() == 250


@pytest.mark.django_db
def test_the_sweep_escalates_exactly_the_due_tasks_and_the_chains_still_verify() -> None:
    _generate(tasks=200, due=20)

    result = sweep(now=NOW)

    assert result.tasks == 20 and result.obligations == 0
    assert result.by_level == {"task:1": 20}
    assert Escalation.objects.filter(level=1, fired_at=NOW).count() == 20
    assert verify_record().ok
    assert sweep(now=NOW).tasks == 0


@pytest.mark.django_db
def test_bench_data_refuses_more_due_than_tasks() -> None:
    with pytest.raises(CommandError, match="more than --tasks"):
        _generate(tasks=10, due=11)
