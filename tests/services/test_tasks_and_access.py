from __future__ import annotations

import datetime as dt

import pytest

from directives.choices import AccessState, EntryKind, ObligationStatus, TaskStatus
from directives.errors import InvalidInput, InvalidTransition, NotAllowed, StaleVersion
from directives.models import AccessChange, Audience, ProductAccess, RemediationTask
from directives.services.obligations import mark_obligation_met
from directives.services.products import record_access_change
from directives.services.tasks import (
    add_evidence,
    change_task_status,
    reassign_task,
    resolve_task,
    verify_task,
)

from ..factories import ET_FRIDAY_1721, make_directive, make_obligation, make_product, make_task

NOW = ET_FRIDAY_1721 + dt.timedelta(hours=1)


@pytest.fixture
def directive(legal):
    return make_directive(actor=legal)


def test_shutdown_access_change_sets_state_keeps_history_and_appends(directive, engineer) -> None:
    fable = make_product("Fable 5")
    everyone = list(Audience.objects.all())
    shutdown = ET_FRIDAY_1721 + dt.timedelta(minutes=27)  # 17:48 ET
    record_access_change(
        product=fable,
        audiences=everyone,
        state=AccessState.SUSPENDED,
        directive=directive,
        occurred_at=shutdown,
        actor=engineer,
        now=NOW,
        reason="Total shutdown",
    )
    assert set(ProductAccess.objects.filter(product=fable).values_list("state", flat=True)) == {"suspended"}
    assert AccessChange.objects.filter(product=fable, to_state="suspended", occurred_at=shutdown).count() == 4
    entry = directive.timeline.order_by("-seq").first()
    assert entry.kind == EntryKind.ACCESS_CHANGED and entry.occurred_at == shutdown and entry.product == fable
    assert entry.data["audiences"] == [a.key for a in everyone]


def test_future_access_change_is_refused(directive, engineer) -> None:
    with pytest.raises(InvalidInput, match="in the future"):
        record_access_change(
            product=make_product(),
            audiences=list(Audience.objects.all()),
            state=AccessState.SUSPENDED,
            directive=directive,
            occurred_at=NOW + dt.timedelta(minutes=5),
            actor=engineer,
            now=NOW,
        )


def test_executive_cannot_change_access(directive, executive) -> None:
    with pytest.raises(NotAllowed):
        record_access_change(
            product=make_product(),
            audiences=list(Audience.objects.all()),
            state=AccessState.SUSPENDED,
            directive=directive,
            occurred_at=NOW,
            actor=executive,
            now=NOW,
        )


def test_resolve_then_verify_by_a_second_person(directive, engineer, engineer2) -> None:
    task = make_task(directive, assignee=engineer)
    resolve_task(
        task=task,
        actor=engineer,
        resolution="Classifier patched",
        now=NOW,
        evidence_links=["https://ci.example/run/1"],
    )
    task.refresh_from_db()
    assert (
        task.status == TaskStatus.RESOLVED
        and task.resolved_by == engineer
        and task.next_escalation_at is None
    )
    assert task.evidence.get().url == "https://ci.example/run/1"
    with pytest.raises(NotAllowed, match="someone other than the person who resolved it"):
        verify_task(task=task, actor=engineer, now=NOW)
    verify_task(task=task, actor=engineer2, now=NOW)
    task.refresh_from_db()
    assert task.status == TaskStatus.VERIFIED and task.verified_by == engineer2
    kinds = list(directive.timeline.filter(task=task).order_by("seq").values_list("kind", flat=True))
    assert kinds == [EntryKind.TASK_CREATED, EntryKind.TASK_RESOLVED, EntryKind.TASK_VERIFIED]


def test_resolution_is_required(directive, engineer) -> None:
    task = make_task(directive, assignee=engineer)
    with pytest.raises(InvalidInput, match="resolution is required"):
        resolve_task(task=task, actor=engineer, resolution="  ", now=NOW)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_engineer_cannot_work_someone_elses_task(directive, engineer, engineer2) -> None:
    task = make_task(directive, assignee=engineer)
    with pytest.raises(NotAllowed, match="Only the assignee"):
        change_task_status(task=task, to_status=TaskStatus.IN_PROGRESS, actor=engineer2, now=NOW)


def test_resolved_via_plain_status_change_is_refused(directive, engineer) -> None:
    task = make_task(directive, assignee=engineer)
    with pytest.raises(InvalidTransition, match="Use 'resolve'"):
        change_task_status(task=task, to_status=TaskStatus.RESOLVED, actor=engineer, now=NOW)


def test_reopen_clears_resolution(directive, engineer, engineer2) -> None:
    task = make_task(directive, assignee=engineer, due_at=NOW + dt.timedelta(hours=4))
    resolve_task(task=task, actor=engineer, resolution="done", now=NOW)
    change_task_status(task=task, to_status=TaskStatus.OPEN, actor=engineer, now=NOW, note="Regression found")
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.resolution == "" and task.resolved_by is None
    assert task.next_escalation_at is not None
    assert "reopened" in directive.timeline.order_by("-seq").first().summary


def test_concurrent_edit_loses_nothing(directive, engineer, legal) -> None:
    task = make_task(directive, assignee=engineer)
    first = RemediationTask.objects.get(pk=task.pk)
    second = RemediationTask.objects.get(pk=task.pk)
    change_task_status(
        task=first, to_status=TaskStatus.IN_PROGRESS, actor=engineer, now=NOW, expected_version=1
    )
    with pytest.raises(StaleVersion, match="changed by eng-test"):
        reassign_task(task=second, assignee=legal, actor=legal, now=NOW, expected_version=1)
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and task.assignee == engineer and task.version == 2


def test_bad_evidence_link_is_refused(directive, engineer) -> None:
    task = make_task(directive, assignee=engineer)
    with pytest.raises(InvalidInput, match="is not an http or https address"):
        add_evidence(task=task, url="javascript:alert(1)", actor=engineer, now=NOW)


def test_obligation_met_before_receipt_is_refused(directive, legal) -> None:
    obligation = make_obligation(directive, actor=legal)
    with pytest.raises(InvalidInput, match="before its directive was received"):
        mark_obligation_met(
            obligation=obligation, met_at=ET_FRIDAY_1721 - dt.timedelta(minutes=1), actor=legal, now=NOW
        )
    mark_obligation_met(obligation=obligation, met_at=NOW, actor=legal, now=NOW)
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.MET and obligation.met_at == NOW
