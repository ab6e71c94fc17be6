"""No timeline entry is dated before its directive's receipt or before its subject existed; the sweep tells a
form opened before it that the record changed; the sweep's own boundary is the one overdue rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from directives.choices import DeadlineRule, EntryKind, ObligationStatus
from directives.errors import StaleVersion
from directives.escalation.sweep import sweep
from directives.models import Escalation, Notification, Obligation, RemediationTask, TimelineEntry
from directives.services import tasks as task_services
from directives.services.timeline import verify_chain
from tests.factories import make_directive, make_obligation

from .conftest import DUE

LOGGED = dt.datetime(2026, 12, 4, 18, 41, tzinfo=dt.UTC)  # a Friday afternoon, Eastern time


def sweep_at(instant: dt.datetime) -> Any:
    with time_machine.travel(instant, tick=False):
        return sweep(now=timezone.now())


@pytest.fixture
def immediate(people: dict[str, Any]) -> Obligation:
    """An order received 30 minutes before it was logged, with an "Immediately" obligation."""
    with time_machine.travel(LOGGED, tick=False):
        directive = make_directive(
            actor=people["legal"], received_at=LOGGED - dt.timedelta(minutes=30), now=LOGGED
        )
        return make_obligation(
            directive, actor=people["legal"], rule=DeadlineRule.IMMEDIATELY, amount=None, now=LOGGED
        )


def test_a_reminder_due_before_the_order_arrived_is_skipped_and_said_once(immediate: Obligation) -> None:
    received = immediate.directive.received_at
    result = sweep_at(LOGGED + dt.timedelta(minutes=1))
    assert (result.obligations_missed, result.reminders, result.skipped) == (1, 0, 1)

    timeline = list(TimelineEntry.objects.filter(directive=immediate.directive).order_by("seq"))
    assert all(e.occurred_at >= received for e in timeline)
    assert not [e for e in timeline if e.kind == EntryKind.REMINDER_SENT]
    [skipped] = [e for e in timeline if e.kind == EntryKind.REMINDER_SKIPPED]
    assert "1 reminder not sent for obligation" in skipped.summary
    assert "before the obligation existed" in skipped.summary
    assert skipped.occurred_at == LOGGED  # when the obligation was logged, not the day before
    [missed] = [e for e in timeline if e.kind == EntryKind.OBLIGATION_MISSED]
    assert missed.occurred_at >= LOGGED and missed.data["from"] == ObligationStatus.OPEN
    assert not Notification.objects.filter(event="reminder").exists()

    sweep_at(LOGGED + dt.timedelta(days=3))
    assert TimelineEntry.objects.filter(kind=EntryKind.REMINDER_SKIPPED).count() == 1  # said once
    assert Escalation.objects.filter(obligation=immediate, reminder=True, notified=False).count() == 1
    assert verify_chain(immediate.directive_id).ok


def test_an_obligation_is_not_missed_at_its_due_instant_only_after_it(people: dict[str, Any]) -> None:
    directive = make_directive(actor=people["legal"])
    obligation = make_obligation(directive, actor=people["legal"], amount=48)
    due = obligation.due_at

    sweep_at(due)  # "by 17:21" is met by anything done at 17:21:00 (overdue.is_overdue)
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.OPEN
    assert obligation.next_escalation_at == due + dt.timedelta(microseconds=1)

    assert sweep_at(due + dt.timedelta(seconds=1)).obligations_missed == 1
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.MISSED and obligation.next_escalation_at is None


def test_the_sweep_bumps_the_version_so_a_form_opened_before_is_refused(
    p0_task: RemediationTask, people: dict[str, Any]
) -> None:
    opened = RemediationTask.objects.get(pk=p0_task.pk)  # what a form read before the sweep
    sweep_at(DUE)
    current = RemediationTask.objects.get(pk=p0_task.pk)
    assert current.version == opened.version + 1 and current.escalation_level == 1
    with time_machine.travel(DUE + dt.timedelta(minutes=5), tick=False), pytest.raises(StaleVersion):
        task_services.resolve_task(task=opened, actor=people["eng"], resolution="Patched", now=timezone.now())
    [escalated] = TimelineEntry.objects.filter(task=p0_task, kind=EntryKind.ESCALATED)
    assert escalated.data["from_level"] == 0 and escalated.data["level"] == 1
