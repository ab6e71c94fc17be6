"""Editing a task's title, description and priority: versioned, on the timeline with before and after,
and a new priority re-plans the escalation ladder."""

from __future__ import annotations

import datetime as dt

import pytest

from directives.choices import EntryKind, Priority, TaskStatus
from directives.errors import InvalidInput, InvalidTransition, NotAllowed, StaleVersion
from directives.escalation import sweep as escalation
from directives.models import Escalation, RemediationTask, TimelineEntry
from directives.services.tasks import edit_task, resolve_task, verify_task

from ..factories import ET_FRIDAY_1721, make_directive, make_task

NOW = ET_FRIDAY_1721 + dt.timedelta(hours=1)
DUE = NOW + dt.timedelta(days=2)

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(legal, engineer) -> RemediationTask:
    directive = make_directive(actor=legal)
    return make_task(directive, assignee=engineer, priority=Priority.P2, due_at=DUE, now=NOW)


def last_entry(task: RemediationTask) -> TimelineEntry:
    entry = TimelineEntry.objects.filter(task=task).order_by("-seq").first()
    assert entry is not None
    return entry


def test_title_and_description_change_with_before_and_after(task, engineer) -> None:
    edit_task(
        task=task,
        actor=engineer,
        now=NOW,
        title="Patch the Fable 5 guardrail",
        description="Ship the classifier",
        expected_version=task.version,
    )
    task.refresh_from_db()
    assert (task.title, task.description, task.version) == (
        "Patch the Fable 5 guardrail",
        "Ship the classifier",
        2,
    )
    entry = last_entry(task)
    assert entry.kind == EntryKind.TASK_UPDATED and entry.actor_label == "eng-test"
    assert "Title: “Patch the jailbreak” → “Patch the Fable 5 guardrail”" in entry.summary
    assert "Description: (empty) → “Ship the classifier”" in entry.summary
    assert "escalation" not in entry.summary  # the priority did not change: the ladder goes on
    assert entry.data["fields"]["title"] == {
        "from": "Patch the jailbreak",
        "to": "Patch the Fable 5 guardrail",
    }
    assert task.next_escalation_at == DUE - dt.timedelta(days=1)  # still the P2 ladder


def test_priority_change_replans_the_ladder_and_says_so(task, engineer) -> None:
    assert task.next_escalation_at == DUE - dt.timedelta(days=1)  # P2: reminded a day ahead
    # The P2 reminder fires a day ahead...
    fired_at = DUE - dt.timedelta(days=1) + dt.timedelta(minutes=1)
    escalation.sweep(now=fired_at)
    assert Escalation.objects.filter(task=task, superseded_at__isnull=True).count() == 1
    task.refresh_from_db()
    # ...then the engineer raises it to P0: the P0 ladder starts from its first step (an hour ahead).
    edit_task(task=task, actor=engineer, now=fired_at, priority=Priority.P0, expected_version=task.version)
    task.refresh_from_db()
    assert task.priority == Priority.P0 and task.escalation_level == 0
    assert task.next_escalation_at == DUE - dt.timedelta(hours=1)
    assert not Escalation.objects.filter(task=task, superseded_at__isnull=True).exists()
    entries = list(TimelineEntry.objects.filter(task=task, occurred_at=fired_at).order_by("seq"))
    restarted, edited = entries[-2], entries[-1]
    assert restarted.kind == EntryKind.ESCALATION_CANCELLED
    assert "Escalation restarted (priority P2 → P0)" in restarted.summary
    assert "Priority: P2 → P0" in edited.summary
    assert "escalation ladder re-planned for the new priority: next check " in edited.summary
    # before and after, in the authority's zone with UTC beside them
    # the next check before (the P2 ladder's next step: the due instant) and after (the P0 reminder, an
    # hour ahead), in the authority's zone with UTC beside them
    assert edited.summary.endswith(
        "next check Sun 29 Nov 2026, 18:21 EST · 23:21 UTC → Sun 29 Nov 2026, 17:21 EST · 22:21 UTC"
    )
    assert edited.data["escalation"]["to"] == (DUE - dt.timedelta(hours=1)).isoformat()


def test_stale_version_changes_nothing(task, engineer, legal) -> None:
    stale = RemediationTask.objects.get(pk=task.pk)
    edit_task(task=task, actor=legal, now=NOW, title="Legal's title", expected_version=1)
    before = TimelineEntry.objects.count()
    with pytest.raises(StaleVersion, match="changed by legal-test"):
        edit_task(task=stale, actor=engineer, now=NOW, priority=Priority.P0, expected_version=1)
    task.refresh_from_db()
    assert task.priority == Priority.P2 and task.title == "Legal's title" and task.version == 2
    assert TimelineEntry.objects.count() == before


def test_refusals(task, engineer, engineer2) -> None:
    with pytest.raises(NotAllowed, match="Only the assignee"):
        edit_task(task=task, actor=engineer2, now=NOW, title="Not mine")
    with pytest.raises(InvalidInput, match="Nothing to change"):
        edit_task(task=task, actor=engineer, now=NOW, title=" Patch the jailbreak ", priority="P2")
    with pytest.raises(InvalidInput, match="Unknown priority") as bad:
        edit_task(task=task, actor=engineer, now=NOW, priority="P9")
    assert bad.value.field == "priority"
    with pytest.raises(InvalidInput) as blank:
        edit_task(task=task, actor=engineer, now=NOW, title="   ")
    assert blank.value.field == "title"
    with pytest.raises(InvalidInput) as long:
        edit_task(task=task, actor=engineer, now=NOW, title="x" * 301)
    assert long.value.field == "title"
    assert RemediationTask.objects.get(pk=task.pk).version == 1


def test_a_verified_task_is_closed_to_edits(task, engineer, engineer2) -> None:
    resolve_task(task=task, actor=engineer, resolution="Done", now=NOW)
    verify_task(task=task, actor=engineer2, now=NOW)
    with pytest.raises(InvalidTransition, match="reopen it"):
        edit_task(task=task, actor=engineer, now=NOW, title="Later")
    assert task.status == TaskStatus.VERIFIED
