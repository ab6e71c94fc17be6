"""What each form of the task page does: one service call, and the sentence the page shows after it.

Each performer takes the task, the form's cleaned data, the user, the instant and the version the form
carried; the view around them (views/tasks.py) handles stale versions, refusals and errors alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ..choices import TaskStatus
from ..models import RemediationTask
from ..services import tasks as services

Performer = Callable[[RemediationTask, dict[str, Any], Any, dt.datetime, "int | None"], str]


def _who(user: Any) -> str:
    return user.get_username() if user is not None else "nobody"


def _status(
    task: RemediationTask, data: dict[str, Any], user: Any, now: dt.datetime, expected: int | None
) -> str:
    target = TaskStatus(data["to_status"])
    services.change_task_status(
        task=task, to_status=target, actor=user, now=now, note=data.get("note", ""), expected_version=expected
    )
    return f"Moved to {target.label}."


def _edit(
    task: RemediationTask, data: dict[str, Any], user: Any, now: dt.datetime, expected: int | None
) -> str:
    before = task.priority
    services.edit_task(
        task=task,
        actor=user,
        now=now,
        title=data["title"],
        description=data.get("description", ""),
        priority=data["priority"],
        expected_version=expected,
    )
    if task.priority != before:
        return f"Saved. Priority {before} → {task.priority}: the escalation ladder was re-planned."
    return "Saved."


def _comment(
    task: RemediationTask, data: dict[str, Any], user: Any, now: dt.datetime, expected: int | None
) -> str:
    services.comment_on_task(task=task, text=data["text"], actor=user, now=now)
    return "Comment added."


def _resolve(
    task: RemediationTask, data: dict[str, Any], user: Any, now: dt.datetime, expected: int | None
) -> str:
    files = data.get("evidence_files") or []
    links = data.get("evidence_links") or []
    services.resolve_task(
        task=task,
        actor=user,
        resolution=data["resolution"],
        now=now,
        evidence_links=links,
        evidence_files=files,
        expected_version=expected,
    )
    return f"Resolved with {len(links) + len(files)} piece(s) of evidence. A second person must verify it."


def _evidence(
    task: RemediationTask, data: dict[str, Any], user: Any, now: dt.datetime, expected: int | None
) -> str:
    added = services.attach_evidence(
        task=task,
        actor=user,
        now=now,
        links=data.get("evidence_links") or [],
        files=data.get("evidence_files") or [],
        description=data.get("description", ""),
        expected_version=expected,
    )
    return f"{len(added)} piece{'s' if len(added) != 1 else ''} of evidence attached."


def _verify(
    task: RemediationTask, data: dict[str, Any], user: Any, now: dt.datetime, expected: int | None
) -> str:
    services.verify_task(task=task, actor=user, now=now, note=data.get("note", ""), expected_version=expected)
    return "Verified."


def _reassign(
    task: RemediationTask, data: dict[str, Any], user: Any, now: dt.datetime, expected: int | None
) -> str:
    assignee = data.get("assignee")
    services.reassign_task(task=task, assignee=assignee, actor=user, now=now, expected_version=expected)
    return f"Reassigned to {_who(assignee)}."


def _due(
    task: RemediationTask, data: dict[str, Any], user: Any, now: dt.datetime, expected: int | None
) -> str:
    due = data.get("due_at")
    services.change_task_due(
        task=task, due_at=due, actor=user, now=now, reason=data.get("reason", ""), expected_version=expected
    )
    return "Due date changed." if due else "Due date removed."


# By the action each form posts to (tasks/<pk>/<action>/); the same keys as forms.tasks.TASK_ACTION_FORMS.
PERFORMERS: dict[str, Performer] = {
    "edit": _edit,
    "status": _status,
    "comment": _comment,
    "evidence": _evidence,
    "resolve": _resolve,
    "verify": _verify,
    "reassign": _reassign,
    "due": _due,
}
