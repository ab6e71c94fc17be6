"""The sweep, level by level, with the clock moved by time-machine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directives.bulk import insert_rows_with_ids
from directives.choices import EntryKind, ObligationStatus, Priority
from directives.escalation.sweep import last_sweep, sweep
from directives.models import (
    Escalation,
    Notification,
    NotificationStatus,
    Obligation,
    RemediationTask,
    SweepRun,
    TimelineEntry,
)
from directives.services import obligations as obligation_services
from directives.services import tasks as task_services
from directives.services.notifications import deliver
from directives.services.timeline import verify_chain
from tests.factories import make_directive, make_obligation, make_task

from .conftest import DUE

H = dt.timedelta(hours=1)


def sweep_at(instant: dt.datetime, **kwargs: Any) -> Any:
    with time_machine.travel(instant, tick=False):
        return sweep(now=timezone.now(), **kwargs)


def entries(task: RemediationTask, *kinds: str) -> list[TimelineEntry]:
    qs = TimelineEntry.objects.filter(task=task).order_by("seq")
    return list(qs.filter(kind__in=kinds) if kinds else qs)


def recipients(**filters: Any) -> list[str]:
    return sorted(Notification.objects.filter(**filters).values_list("recipient", flat=True))


def test_each_p0_level_fires_at_its_instant(p0_task: RemediationTask, people: dict[str, Any]) -> None:
    assert p0_task.next_escalation_at == DUE - H  # the reminder comes first

    assert sweep_at(DUE - H - dt.timedelta(seconds=1)).escalations == 0

    result = sweep_at(DUE - H)
    assert (result.tasks, result.escalations, result.reminders) == (1, 1, 1)
    p0_task.refresh_from_db()
    assert (p0_task.escalation_level, p0_task.next_escalation_at) == (0, DUE)
    [reminder] = entries(p0_task, EntryKind.REMINDER_SENT)
    assert "due Fri 27 Nov 2026, 22:00 EST · Sat 28 Nov 2026, 03:00 UTC" in reminder.summary
    assert recipients(event="reminder") == ["user:eng-test"]

    sweep_at(DUE)
    p0_task.refresh_from_db()
    assert (p0_task.escalation_level, p0_task.next_escalation_at) == (1, DUE + H)
    assert recipients(escalation__level=1) == ["group:engineering", "user:eng-test"]
    group_mail = Notification.objects.get(escalation__level=1, recipient="group:engineering")
    assert group_mail.group is not None and group_mail.group.name == "engineering"
    assert deliver(notification_id=group_mail.pk, now=DUE) == "sent"  # to the members at sending time
    assert mail.outbox[-1].to == ["eng2@docket.example", "eng@docket.example"]

    sweep_at(DUE + H)
    assert recipients(escalation__level=2) == ["group:legal"]
    sweep_at(DUE + 4 * H - dt.timedelta(microseconds=1))
    p0_task.refresh_from_db()
    assert p0_task.escalation_level == 2

    sweep_at(DUE + 4 * H)
    p0_task.refresh_from_db()
    assert p0_task.escalation_level == 3
    assert recipients(escalation__level=3) == ["group:executive"]
    assert p0_task.next_escalation_at == DUE + 8 * H  # level 3 repeats every 4 hours

    sweep_at(DUE + 8 * H)
    repeat = Escalation.objects.get(task=p0_task, level=3, repeat=1)
    assert repeat.notified and repeat.scheduled_at == DUE + 8 * H

    escalated = entries(p0_task, EntryKind.ESCALATED)
    assert [e.data["level"] for e in escalated] == [1, 2, 3, 3]
    assert [e.occurred_at for e in escalated] == [DUE, DUE + H, DUE + 4 * H, DUE + 8 * H]
    assert all(e.actor_label == "system" for e in escalated)
    assert "1 h overdue" in escalated[1].summary
    assert verify_chain(p0_task.directive_id).ok


def test_catch_up_records_every_missed_level_once_and_notifies_only_the_highest(
    p0_task: RemediationTask,
) -> None:
    result = sweep_at(DUE + 5 * H)  # the engine was down from before the reminder until now

    assert (result.escalations, result.caught_up, result.notifications) == (4, 3, 1)
    rows = list(Escalation.objects.filter(task=p0_task).order_by("scheduled_at"))
    assert [(e.level, e.notified) for e in rows] == [(0, False), (1, False), (2, False), (3, True)]
    timeline = entries(p0_task, EntryKind.REMINDER_SENT, EntryKind.ESCALATED)
    assert [e.kind for e in timeline] == ["reminder_sent", "escalated", "escalated", "escalated"]
    assert [e.occurred_at for e in timeline] == [DUE - H, DUE, DUE + H, DUE + 4 * H]
    assert all("catch-up" in e.summary for e in timeline[:3]) and "catch-up" not in timeline[3].summary
    assert recipients() == ["group:executive"]
    [message] = Notification.objects.all()
    assert "is 5 h overdue" in message.payload["text"]  # as it is when sent, not when level 3 was due
    assert (
        message.payload["subject"]
        == "[Docket P0] Level 3 of 3: 4 hours overdue (executive): Patch the jailbreak"
    )
    p0_task.refresh_from_db()
    assert (p0_task.escalation_level, p0_task.next_escalation_at) == (3, DUE + 8 * H)

    # A long outage collapses the repetitions of a step to the latest one.
    result = sweep_at(DUE + 30 * H)
    assert result.escalations == 1
    assert Escalation.objects.get(task=p0_task, repeat__gt=0).repeat == 6  # DUE+4h + 6*4h = DUE+28h


def test_sweeping_twice_changes_nothing_more(p0_task: RemediationTask) -> None:
    first = sweep_at(DUE + 2 * H)
    second = sweep_at(DUE + 2 * H)
    assert first.escalations == 3 and second.escalations == 0 and second.tasks == 0
    assert Escalation.objects.count() == 3 and Notification.objects.count() == 1


def test_the_database_refuses_a_duplicate_escalation_or_notification(p0_task: RemediationTask) -> None:
    sweep_at(DUE + 2 * H)
    existing = Escalation.objects.get(task=p0_task, level=2)
    existing.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        existing.save()
    note = Notification.objects.get()
    note.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        note.save()


def test_resolution_stops_escalation(p0_task: RemediationTask, people: dict[str, Any]) -> None:
    sweep_at(DUE - H)
    sweep_at(DUE)
    pending = Notification.objects.filter(status=NotificationStatus.PENDING).count()
    assert pending == 3  # reminder (eng), level 1 (eng, engineering)
    p0_task.refresh_from_db()  # the sweep bumped its version
    with time_machine.travel(DUE + dt.timedelta(minutes=20), tick=False):
        task_services.resolve_task(
            task=p0_task, actor=people["eng"], resolution="Patched and deployed", now=timezone.now()
        )
    p0_task.refresh_from_db()
    assert p0_task.next_escalation_at is None
    [stopped] = entries(p0_task, EntryKind.ESCALATION_CANCELLED)
    assert "task resolved" in stopped.summary and "3 undelivered notifications cancelled" in stopped.summary
    assert Notification.objects.filter(status=NotificationStatus.CANCELLED).count() == 3
    assert sweep_at(DUE + 10 * H).escalations == 0
    assert verify_chain(p0_task.directive_id).ok


def test_reassignment_notifies_the_new_assignee_and_the_ladder_goes_on(
    p0_task: RemediationTask, people: dict[str, Any]
) -> None:
    sweep_at(DUE - H)
    p0_task.refresh_from_db()  # the sweep bumped its version
    with time_machine.travel(DUE - dt.timedelta(minutes=30), tick=False):
        task_services.reassign_task(
            task=p0_task, assignee=people["eng2"], actor=people["legal"], now=timezone.now()
        )
    assigned = Notification.objects.get(event="task_assigned")
    assert assigned.recipient == "user:eng2-test" and assigned.payload["to"] == ["eng2@docket.example"]
    assert "assigned to eng2-test by legal-test" in assigned.payload["text"]
    p0_task.refresh_from_db()
    assert p0_task.next_escalation_at == DUE  # not restarted: the reminder is not sent again
    sweep_at(DUE)
    assert recipients(escalation__level=1) == ["group:engineering", "user:eng2-test"]


def test_moving_the_due_date_restarts_the_ladder(p0_task: RemediationTask, people: dict[str, Any]) -> None:
    sweep_at(DUE + H)
    p0_task.refresh_from_db()  # the sweep bumped its version
    new_due = DUE + 24 * H
    with time_machine.travel(DUE + 2 * H, tick=False):
        task_services.change_task_due(
            task=p0_task, due_at=new_due, actor=people["legal"], now=timezone.now(), reason="BIS extended"
        )
    p0_task.refresh_from_db()
    assert (p0_task.escalation_level, p0_task.next_escalation_at) == (0, new_due - H)
    [restart] = entries(p0_task, EntryKind.ESCALATION_CANCELLED)
    assert "due moved" in restart.summary and restart.data["superseded"] == 3
    assert Escalation.objects.filter(task=p0_task, superseded_at__isnull=False).count() == 3
    sweep_at(new_due)
    current = Escalation.objects.filter(task=p0_task, superseded_at__isnull=True).order_by("level")
    assert [e.level for e in current] == [0, 1]
    assert verify_chain(p0_task.directive_id).ok


def test_reopened_task_climbs_again(p0_task: RemediationTask, people: dict[str, Any]) -> None:
    sweep_at(DUE + H)
    p0_task.refresh_from_db()  # the sweep bumped its version
    with time_machine.travel(DUE + 90 * dt.timedelta(minutes=1), tick=False):
        task_services.resolve_task(task=p0_task, actor=people["eng"], resolution="Done", now=timezone.now())
        task_services.change_task_status(
            task=p0_task, to_status="open", actor=people["legal"], now=timezone.now()
        )
    result = sweep_at(DUE + 2 * H)
    assert result.escalations == 3  # reminder, level 1 and level 2 again on the new ladder
    assert Escalation.objects.filter(task=p0_task, superseded_at__isnull=True).count() == 3


def test_an_obligation_past_due_becomes_missed_and_goes_to_legal_and_executive(
    people: dict[str, Any],
) -> None:
    directive = make_directive(actor=people["legal"])
    obligation = make_obligation(directive, actor=people["legal"], amount=48)  # due Sunday 22:21 UTC
    due = obligation.due_at
    assert obligation.next_escalation_at == due - 24 * H

    sweep_at(due - 24 * H)
    assert recipients(event="reminder") == ["group:legal"]
    obligation.refresh_from_db()
    assert (obligation.status, obligation.next_escalation_at) == (ObligationStatus.OPEN, due)

    result = sweep_at(due + dt.timedelta(minutes=1))
    assert result.obligations_missed == 1
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.MISSED and obligation.next_escalation_at is None
    kinds = list(
        TimelineEntry.objects.filter(obligation=obligation).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds[-3:] == ["reminder_sent", "obligation_missed", "escalated"]
    assert recipients(event="obligation_missed") == ["group:executive", "group:legal"]
    missed = TimelineEntry.objects.get(obligation=obligation, kind=EntryKind.OBLIGATION_MISSED)
    assert missed.occurred_at == due and "was not met" in missed.summary
    assert sweep_at(due + 48 * H).escalations == 0

    # Met late afterwards: allowed by the state table, stays on record as missed first.
    with time_machine.travel(due + 49 * H, tick=False):
        obligation_services.mark_obligation_met(
            obligation=obligation, met_at=timezone.now(), actor=people["legal"], now=timezone.now()
        )
    assert verify_chain(directive.pk).ok


def test_met_obligation_is_not_escalated(people: dict[str, Any]) -> None:
    directive = make_directive(actor=people["legal"])
    obligation = make_obligation(directive, actor=people["legal"], amount=48)
    with time_machine.travel(obligation.due_at - H, tick=False):
        obligation_services.mark_obligation_met(
            obligation=obligation, met_at=timezone.now(), actor=people["legal"], now=timezone.now()
        )
    assert sweep_at(obligation.due_at + H).obligations == 0
    assert Obligation.objects.get(pk=obligation.pk).status == ObligationStatus.MET
    stopped = TimelineEntry.objects.get(obligation=obligation, kind=EntryKind.ESCALATION_CANCELLED)
    assert "obligation met" in stopped.summary


def test_statements_per_batch_do_not_grow_with_rows(people: dict[str, Any]) -> None:
    def statements(count: int) -> int:
        directive = make_directive(actor=people["legal"])
        for i in range(count):
            make_task(
                directive,
                actor=people["legal"],
                priority=Priority.P0,
                assignee=people["eng"],
                due_at=DUE,
                title=f"Task {i}",
            )
        with CaptureQueriesContext(connection) as ctx:
            result = sweep_at(DUE + 2 * H)
        assert result.tasks == count and result.batches == 1
        # SQLite caps a statement at 999 parameters, so Django splits its INSERTs; PostgreSQL does not.
        return sum(
            1 for q in ctx.captured_queries if connection.vendor != "sqlite" or "INSERT" not in q["sql"]
        )

    small = statements(2)
    assert statements(40) == small


def test_nothing_due_is_cheap_and_recorded(db: Any) -> None:
    with CaptureQueriesContext(connection) as ctx:
        result = sweep_at(DUE)
    assert result.tasks == result.obligations == 0
    assert len(ctx.captured_queries) <= 4  # two probes, the run, its pruning at most
    finished, stats = last_sweep()  # type: ignore[misc]
    assert finished >= DUE and stats["escalations"] == 0
    assert SweepRun.objects.count() == 1


def test_batches_of_a_few_rows(people: dict[str, Any]) -> None:
    directive = make_directive(actor=people["legal"])
    tasks = [
        make_task(
            directive,
            actor=people["legal"],
            priority=Priority.P1,
            assignee=people["eng"],
            due_at=DUE,
            title=f"Task {i}",
        )
        for i in range(7)
    ]
    result = sweep_at(DUE + dt.timedelta(minutes=1), batch_size=3)
    assert (result.tasks, result.batches, result.escalations) == (7, 3, 14)
    assert all(t.escalations.count() == 2 for t in tasks)
    assert verify_chain(directive.pk).ok


def test_escalate_command_prints_what_it_did(p0_task: RemediationTask, capsys: Any) -> None:
    from django.core.management import call_command

    with time_machine.travel(DUE + 2 * H, tick=False):
        call_command("escalate")
    out = capsys.readouterr().out
    assert "1 task(s) and 0 obligation(s) due" in out and "3 escalation(s) recorded" in out
    assert "ms" in out and "task level 2: 1" in out


@pytest.mark.services
def test_fewer_rows_than_the_ids_taken_for_them_write_nothing(p0_task: RemediationTask) -> None:
    """The sweep takes the escalations' ids before it streams the rows into COPY; a mismatch aborts the
    COPY instead of leaving ids that name no row."""
    sweep_at(DUE + 2 * H)
    template = Escalation.objects.filter(task=p0_task).values().first()
    assert template is not None
    row = {k: v for k, v in template.items() if k != "id"} | {"level": 9}
    with pytest.raises(ValueError, match="2 ids taken for 1 escalations"), transaction.atomic():
        insert_rows_with_ids(Escalation, 2, iter([row]))
    assert not Escalation.objects.filter(task=p0_task, level=9).exists()
