"""The Celery entry points, run eagerly: the sweep task relays its outbox rows to the delivery task."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.core import mail

from compliance.celery import app
from directives import tasks
from directives.models import Notification, NotificationStatus, RemediationTask

from .conftest import DUE


def test_sweep_task_escalates_then_delivers_through_the_relay(
    p0_task: RemediationTask, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(app.conf, "task_always_eager", True)
    with time_machine.travel(DUE + dt.timedelta(minutes=1), tick=False):
        stats = tasks.sweep.apply().get()
    assert stats["escalations"] == 2 and stats["notifications"] == 2  # reminder caught up, level 1 notified
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert sorted(tuple(m.to) for m in mail.outbox) == [  # the engineering group, and the assignee
        ("eng2@docket.example", "eng@docket.example"),
        ("eng@docket.example",),
    ]

    with time_machine.travel(DUE + dt.timedelta(minutes=2), tick=False):
        assert tasks.relay_outbox.apply().get() == 0  # nothing left to relay
        assert (
            tasks.deliver_notification.apply(
                args=(Notification.objects.values_list("pk", flat=True)[0],)
            ).get()
            == "skipped"
        )


def test_delivery_task_options(db: Any) -> None:
    for task in (tasks.sweep, tasks.relay_outbox, tasks.deliver_notification):
        assert task.acks_late and task.reject_on_worker_lost
        assert task.soft_time_limit and task.time_limit and task.soft_time_limit < task.time_limit
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.amqp.router.route({}, tasks.deliver_notification.name)["queue"].name == "notifications"


def test_a_backlog_of_more_than_a_batch_is_shared_with_another_worker(
    db: Any, monkeypatch: Any, settings: Any
) -> None:
    """More than one batch due: the sweep queues one more sweep (``share``), which asks no one else; both
    together escalate every task once. One batch or less: nobody else is asked."""
    from directives.choices import Priority, Role
    from tests.factories import UserFactory, make_directive, make_task

    settings.DOCKET_SWEEP_BATCH_SIZE, settings.DOCKET_SWEEP_SHARES = 3, 2
    legal = UserFactory(username="legal-shares", role=Role.LEGAL)
    eng = UserFactory(username="eng-shares", role=Role.ENGINEERING)
    directive = make_directive(actor=legal)
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(tasks.sweep, "apply_async", lambda **options: queued.append(options))

    def due_tasks(n: int) -> list[RemediationTask]:
        return [
            make_task(directive, actor=legal, priority=Priority.P0, assignee=eng, due_at=DUE, title=f"S{i}")
            for i in range(n)
        ]

    few = due_tasks(3)
    with time_machine.travel(DUE + dt.timedelta(minutes=1), tick=False):
        tasks.sweep()
    assert queued == []  # one batch: no help asked
    assert {t.escalation_level for t in RemediationTask.objects.filter(pk__in=[t.pk for t in few])} == {1}

    many = due_tasks(7)
    with time_machine.travel(DUE + dt.timedelta(minutes=2), tick=False):
        tasks.sweep()
        assert queued == [{"kwargs": {"share": True}, "expires": settings.DOCKET_SWEEP_INTERVAL_SECONDS}]
        share = tasks.sweep(share=True)  # the share, arriving after the first sweep did the work
    assert share["escalations"] == 0 and len(queued) == 1  # nothing left, and it asked no one else
    levels = RemediationTask.objects.filter(pk__in=[t.pk for t in many]).values_list(
        "escalation_level", flat=True
    )
    assert set(levels) == {1}
