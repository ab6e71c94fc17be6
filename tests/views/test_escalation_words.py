"""Escalation levels and repeats in words on the pages: the task page says the step reached
("Level 3 of 3: 4 hours overdue (executive), 34th repeat"), badges say "level 3 of 3"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from directives.choices import Priority
from directives.models import Escalation, EscalationStep, RemediationTask
from tests.factories import make_directive, make_task

pytestmark = pytest.mark.django_db

DUE = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def escalated(legal: Any, engineer: Any) -> RemediationTask:
    directive = make_directive(actor=legal, reference="BIS-3")
    task = make_task(directive, actor=legal, assignee=engineer, priority=Priority.P0, due_at=DUE)
    step = EscalationStep.objects.get(policy__applies_to="task", policy__priority="P0", level=3)
    assert step.repeat_every is not None
    Escalation.objects.create(
        task=task,
        directive=directive,
        step=step,
        level=3,
        repeat=34,
        name=step.name,
        due_at=DUE,
        scheduled_at=DUE + step.offset + 34 * step.repeat_every,
        fired_at=DUE + step.offset + 34 * step.repeat_every,
    )
    RemediationTask.objects.filter(pk=task.pk).update(escalation_level=3)
    task.refresh_from_db()
    return task


def test_the_task_page_says_the_step_in_words(client: Any, escalated: RemediationTask, engineer: Any) -> None:
    client.force_login(engineer)
    html = client.get(reverse("task_detail", args=[escalated.pk])).content.decode()
    assert '<dd id="task-escalation">Level 3 of 3: 4 hours overdue (executive), 34th repeat</dd>' in html
    assert "Escalated: level 3 of 3" in html


def test_the_directive_page_and_the_boards_say_the_level_of_how_many(
    client: Any, escalated: RemediationTask, legal: Any, engineer: Any
) -> None:
    client.force_login(legal)
    html = client.get(reverse("directive_detail", args=[escalated.directive_id])).content.decode()
    assert "escalated: level 3 of 3" in html
    client.force_login(engineer)
    assert "Escalated: level 3 of 3" in client.get(reverse("my_tasks")).content.decode()


def test_a_restarted_ladder_still_says_the_level(
    client: Any, escalated: RemediationTask, engineer: Any
) -> None:
    Escalation.objects.update(superseded_at=DUE, superseded_reason="due changed")
    client.force_login(engineer)
    html = client.get(reverse("task_detail", args=[escalated.pk])).content.decode()
    assert '<dd id="task-escalation">Level 3</dd>' in html
