"""Remediation tasks: create, edit, move, resolve with evidence, verify by a second person, reassign."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from .. import instants, states
from ..choices import EntryKind, EvidenceKind, Priority, TaskStatus
from ..errors import InvalidInput, InvalidTransition
from ..escalation.hooks import next_escalation_for_task, notify_assignment, restart_ladder, stop_escalation
from ..instants import check_window
from ..models import Directive, Evidence, Obligation, Product, RemediationTask
from ..permissions import Action, require
from .common import check_upload, check_version, conditional_update, require_text, require_web_address
from .timeline import append_entry


def _user_label(user: Any) -> str:
    return user.get_username() if user is not None else "nobody"


@transaction.atomic
def create_task(
    *,
    directive: Directive,
    title: str,
    actor: Any,
    now: dt.datetime,
    description: str = "",
    obligation: Obligation | None = None,
    product: Product | None = None,
    assignee: Any = None,
    priority: Priority | str = Priority.P2,
    due_at: dt.datetime | None = None,
    directive_version: int | None = None,
    notify_assignee: bool = True,
) -> RemediationTask:
    """A remediation task on ``directive`` (for one of its obligations and products, when given), due by
    ``due_at`` or else by the obligation's due instant. ``directive_version``, when given, is the version
    of the directive the person read: a directive changed since is refused (``StaleVersion``). The
    assignee is told at once (``notify_assignee``; a replayed history, such as the demo's, tells nobody)."""
    require(actor, Action.CREATE_TASK)
    check_version(directive, expected_version=directive_version)
    if priority not in Priority.values:
        raise InvalidInput(f"Unknown priority {priority!r}.", field="priority")
    if obligation is not None and obligation.directive_id != directive.pk:
        raise InvalidInput("The obligation belongs to another directive.", field="obligation")
    if due_at is None and obligation is not None:
        due_at = obligation.due_at
    if due_at is not None:
        check_window(due_at, field="due_at", label="due instant")
        if due_at < directive.received_at:
            raise InvalidInput("A task cannot be due before its directive was received.", field="due_at")
    task = RemediationTask(
        directive=directive,
        obligation=obligation,
        product=product,
        title=require_text(title, field="title", max_length=300),
        description=require_text(description, field="description", blank=True, max_length=50_000),
        assignee=assignee,
        priority=priority,
        due_at=due_at,
        created_by=actor,
        updated_by=actor,
    )
    task.next_escalation_at = next_escalation_for_task(task, now=now)
    task.save()
    append_entry(
        directive=directive,
        kind=EntryKind.TASK_CREATED,
        occurred_at=now,
        actor=actor,
        now=now,
        task=task,
        obligation=obligation,
        product=product,
        summary=f"Task created ({priority}): {task.title}; assigned to {_user_label(assignee)}"
        + (f"; due {instants.legal(due_at, directive.authority)}" if due_at else ""),
        data={
            "title": task.title,
            "priority": str(priority),
            "assignee": _user_label(assignee),
            "due_at": due_at.isoformat() if due_at else None,
        },
    )
    if notify_assignee and assignee is not None:
        notify_assignment(task=task, assignee=assignee, actor=actor, now=now)
    return task


# What ``edit_task`` may change, by the name the forms and the API use.
EDITABLE_FIELDS = ("title", "description", "priority")


def _check_edits(
    task: RemediationTask, title: str | None, description: str | None, priority: str | None
) -> dict[str, Any]:
    """The fields that differ from the task, checked and normalised; unchanged ones are left out."""
    wanted: dict[str, Any] = {}
    if title is not None:
        wanted["title"] = require_text(title, field="title", max_length=300)
    if description is not None:
        wanted["description"] = require_text(description, field="description", blank=True, max_length=50_000)
    if priority is not None:
        if priority not in Priority.values:
            raise InvalidInput(f"Unknown priority {str(priority)[:20]!r}.", field="priority")
        wanted["priority"] = Priority(priority)
    changed = {k: v for k, v in wanted.items() if v != getattr(task, k)}
    if not changed:
        raise InvalidInput("Nothing to change: the title, description and priority are as they were.")
    return changed


def _clip(value: object, name: str, limit: int = 120) -> str:
    """A value of an edited field as a timeline summary quotes it (a priority as its code)."""
    text = " ".join(str(value).split())
    if name == "priority":
        return text
    if not text:
        return "(empty)"
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def _next_check_text(at: dt.datetime | None, zone: object) -> str:
    return instants.legal(at, zone) if at is not None else "none"


@transaction.atomic
def edit_task(
    *,
    task: RemediationTask,
    actor: Any,
    now: dt.datetime,
    title: str | None = None,
    description: str | None = None,
    priority: Priority | str | None = None,
    expected_version: int | None = None,
) -> RemediationTask:
    """Change a task's title, description or priority (``None``: leave as it is) until it is verified. A
    priority change re-plans the escalation ladder: the new priority's ladder starts from its first step,
    and the timeline entry names the next check before and after."""
    require(actor, Action.WORK_TASK, task)
    if task.status == TaskStatus.VERIFIED:
        raise InvalidTransition("A verified task is closed: reopen it to change it.")
    changed = _check_edits(task, title, description, priority)
    before = {k: getattr(task, k) for k in changed}
    replan = "priority" in changed
    updates: dict[str, Any] = {**changed, "updated_by": actor}
    previous_check = task.next_escalation_at
    if replan:
        probe = RemediationTask(
            status=task.status, due_at=task.due_at, priority=changed["priority"], assignee_id=task.assignee_id
        )
        updates["escalation_level"] = 0
        updates["next_escalation_at"] = next_escalation_for_task(probe, now=now)
    conditional_update(task, expected_version=expected_version, changes=updates)
    if replan:
        restart_ladder(
            task=task, actor=actor, now=now, reason=f"priority {before['priority']} → {task.priority}"
        )
    zone = task.directive.authority.time_zone
    parts = [
        f"{name.capitalize()}: {_clip(before[name], name)} → {_clip(changed[name], name)}"
        for name in EDITABLE_FIELDS
        if name in changed
    ]
    if replan:
        parts.append(
            "escalation ladder re-planned for the new priority: next check "
            f"{_next_check_text(previous_check, zone)} → {_next_check_text(task.next_escalation_at, zone)}"
        )
    append_entry(
        directive=task.directive,
        kind=EntryKind.TASK_UPDATED,
        occurred_at=now,
        actor=actor,
        now=now,
        task=task,
        summary=f"Task edited: {task.title}. " + "; ".join(parts),
        data={
            "change": "edit",
            "fields": {k: {"from": str(before[k]), "to": str(changed[k])} for k in changed},
            "escalation": {
                "from": previous_check.isoformat() if previous_check else None,
                "to": task.next_escalation_at.isoformat() if task.next_escalation_at else None,
            }
            if replan
            else None,
        },
    )
    return task


@transaction.atomic
def change_task_status(
    *,
    task: RemediationTask,
    to_status: TaskStatus | str,
    actor: Any,
    now: dt.datetime,
    note: str = "",
    expected_version: int | None = None,
) -> RemediationTask:
    """Open, start, block or reopen a task. Resolving and verifying have their own services."""
    require(actor, Action.WORK_TASK, task)
    if to_status not in TaskStatus.values:
        raise InvalidInput(f"Unknown status {to_status!r}.", field="status")
    current, target = TaskStatus(task.status), TaskStatus(to_status)
    states.check(states.TASK_TRANSITIONS, current, target, what="task")
    if target in states.TASK_GUARDED_TARGETS:
        raise InvalidTransition(
            f"Use '{'resolve' if target == TaskStatus.RESOLVED else 'verify'}' to make a task {target.label.lower()}."
        )
    note = require_text(note, field="note", blank=True, max_length=5000)
    changes: dict[str, Any] = {"status": target, "updated_by": actor}
    if target == TaskStatus.OPEN and current in (TaskStatus.RESOLVED, TaskStatus.VERIFIED):
        changes.update(resolution="", resolved_by=None, resolved_at=None, verified_by=None, verified_at=None)
    reopened = target == TaskStatus.OPEN and current in (TaskStatus.RESOLVED, TaskStatus.VERIFIED)
    if reopened:
        # A reopened task starts a fresh ladder (the probe has no pk, so the old ladder is not continued).
        probe = RemediationTask(
            status=target, due_at=task.due_at, priority=task.priority, assignee_id=task.assignee_id
        )
        changes["next_escalation_at"] = next_escalation_for_task(probe, now=now)
        changes["escalation_level"] = 0
    elif target not in states.TASK_ACTIVE:
        changes["next_escalation_at"] = None
    # Between active statuses (open, in progress, blocked) the ladder goes on where it is.
    conditional_update(task, expected_version=expected_version, changes=changes)
    if reopened:
        restart_ladder(task=task, actor=actor, now=now, reason="task reopened")
    verb = "reopened" if current in (TaskStatus.RESOLVED, TaskStatus.VERIFIED) else "moved"
    append_entry(
        directive=task.directive,
        kind=EntryKind.TASK_UPDATED,
        occurred_at=now,
        actor=actor,
        now=now,
        task=task,
        summary=f"Task {verb}: {task.title}: {current.label} → {target.label}"
        + (f". {note}" if note else ""),
        data={"from": current.value, "to": target.value, "note": note},
    )
    return task


@transaction.atomic
def resolve_task(
    *,
    task: RemediationTask,
    actor: Any,
    resolution: str,
    now: dt.datetime,
    evidence_links: Sequence[str] = (),
    evidence_files: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> RemediationTask:
    require(actor, Action.WORK_TASK, task)
    current = TaskStatus(task.status)
    states.check(states.TASK_TRANSITIONS, current, TaskStatus.RESOLVED, what="task")
    resolution = require_text(resolution, field="resolution", max_length=50_000)
    pending_escalation = task.next_escalation_at
    conditional_update(
        task,
        expected_version=expected_version,
        changes={
            "status": TaskStatus.RESOLVED,
            "resolution": resolution,
            "resolved_by": actor,
            "resolved_at": now,
            "updated_by": actor,
            "next_escalation_at": None,
        },
    )
    added = [
        _store_evidence(task=task, actor=actor, now=now, url=url, upload=None, description="")
        for url in evidence_links
        if url
    ]
    added += [
        _store_evidence(task=task, actor=actor, now=now, upload=f, description="") for f in evidence_files
    ]
    append_entry(
        directive=task.directive,
        kind=EntryKind.TASK_RESOLVED,
        occurred_at=now,
        actor=actor,
        now=now,
        task=task,
        summary=f"Task resolved: {task.title}. {resolution[:300]}",
        data={
            "resolution": resolution,
            "evidence": [{"url": e.url, "name": e.original_name, "sha256": e.sha256} for e in added],
        },
    )
    stop_escalation(task=task, actor=actor, now=now, reason="task resolved", had_next=pending_escalation)
    return task


@transaction.atomic
def verify_task(
    *,
    task: RemediationTask,
    actor: Any,
    now: dt.datetime,
    note: str = "",
    expected_version: int | None = None,
) -> RemediationTask:
    """A second person confirms the resolution. The resolver can never verify their own work."""
    require(actor, Action.VERIFY_TASK, task)  # refuses the resolver with a clear sentence
    states.check(states.TASK_TRANSITIONS, task.status, TaskStatus.VERIFIED, what="task")
    note = require_text(note, field="note", blank=True, max_length=5000)
    conditional_update(
        task,
        expected_version=expected_version,
        changes={
            "status": TaskStatus.VERIFIED,
            "verified_by": actor,
            "verified_at": now,
            "updated_by": actor,
        },
    )
    append_entry(
        directive=task.directive,
        kind=EntryKind.TASK_VERIFIED,
        occurred_at=now,
        actor=actor,
        now=now,
        task=task,
        summary=f"Task verified by {_user_label(actor)} (resolved by {_user_label(task.resolved_by)}): {task.title}"
        + (f". {note}" if note else ""),
        data={"resolved_by": _user_label(task.resolved_by), "note": note},
    )
    return task


@transaction.atomic
def reassign_task(
    *, task: RemediationTask, assignee: Any, actor: Any, now: dt.datetime, expected_version: int | None = None
) -> RemediationTask:
    require(actor, Action.REASSIGN_TASK)
    if assignee is not None and assignee.pk == task.assignee_id:
        raise InvalidInput(f"The task is already assigned to {_user_label(assignee)}.", field="assignee")
    previous = task.assignee
    # The ladder goes on (its next step now reaches the new assignee); the new assignee is told at once.
    conditional_update(
        task, expected_version=expected_version, changes={"assignee": assignee, "updated_by": actor}
    )
    append_entry(
        directive=task.directive,
        kind=EntryKind.TASK_UPDATED,
        occurred_at=now,
        actor=actor,
        now=now,
        task=task,
        summary=f"Task reassigned from {_user_label(previous)} to {_user_label(assignee)}: {task.title}",
        data={"from": _user_label(previous), "to": _user_label(assignee), "change": "assignee"},
    )
    if assignee is not None and task.status in states.TASK_ACTIVE:
        notify_assignment(task=task, assignee=assignee, actor=actor, now=now)
    return task


@transaction.atomic
def change_task_due(
    *,
    task: RemediationTask,
    due_at: dt.datetime | None,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    expected_version: int | None = None,
) -> RemediationTask:
    require(actor, Action.REASSIGN_TASK)
    if due_at is not None:
        check_window(due_at, field="due_at", label="due instant")
        if due_at < task.directive.received_at:
            raise InvalidInput("A task cannot be due before its directive was received.", field="due_at")
    reason = require_text(reason, field="reason", blank=True, max_length=5000)
    previous = task.due_at
    probe = RemediationTask(
        status=task.status, due_at=due_at, priority=task.priority, assignee_id=task.assignee_id
    )
    conditional_update(
        task,
        expected_version=expected_version,
        changes={
            "due_at": due_at,
            "updated_by": actor,
            "escalation_level": 0,
            "next_escalation_at": next_escalation_for_task(probe, now=now),
        },
    )
    append_entry(
        directive=task.directive,
        kind=EntryKind.TASK_UPDATED,
        occurred_at=now,
        actor=actor,
        now=now,
        task=task,
        summary=f"Task due moved from {instants.legal(previous, task.directive.authority) or 'none'} to "
        f"{instants.legal(due_at, task.directive.authority) or 'none'}: {task.title}"
        + (f". {reason}" if reason else ""),
        data={
            "change": "due_at",
            "from": previous.isoformat() if previous else None,
            "to": due_at.isoformat() if due_at else None,
            "reason": reason,
        },
    )
    restart_ladder(task=task, actor=actor, now=now, reason="due moved")
    return task


@transaction.atomic
def comment_on_task(*, task: RemediationTask, text: str, actor: Any, now: dt.datetime) -> None:
    require(actor, Action.COMMENT)
    text = require_text(text, field="text", max_length=20_000)
    append_entry(
        directive=task.directive,
        kind=EntryKind.COMMENT,
        occurred_at=now,
        actor=actor,
        now=now,
        task=task,
        summary=text,
        data={"task": task.pk},
    )


MAX_EVIDENCE_PER_SUBMIT = 20


def _store_evidence(
    *,
    task: RemediationTask,
    actor: Any,
    now: dt.datetime,
    url: str = "",
    upload: UploadedFile | None,
    description: str,
) -> Evidence:
    """One evidence row (a file stored with its SHA-256, or a checked http(s) link); no timeline entry."""
    if upload is not None:
        sha256, name, size = check_upload(upload)
        evidence = Evidence(
            task=task,
            kind=EvidenceKind.FILE,
            original_name=name,
            content_type=(upload.content_type or "").split(";")[0].strip().lower(),
            size=size,
            sha256=sha256,
            description=description,
            added_by=actor,
            added_at=now,
        )
        evidence.file.save(name, upload, save=False)
        evidence.save()
        return evidence
    url = require_web_address(url, field="url")
    return Evidence.objects.create(
        task=task, kind=EvidenceKind.LINK, url=url, description=description, added_by=actor, added_at=now
    )


@transaction.atomic
def attach_evidence(
    *,
    task: RemediationTask,
    actor: Any,
    now: dt.datetime,
    links: Sequence[str] = (),
    files: Sequence[UploadedFile] = (),
    description: str = "",
    expected_version: int | None = None,
) -> list[Evidence]:
    """Attach links and files to a task at any time until it is verified (not only when resolving). The
    task's version moves on (what a person saw has changed); each item gets a timeline entry naming it, a
    file with its SHA-256."""
    require(actor, Action.WORK_TASK, task)
    if task.status == TaskStatus.VERIFIED:
        raise InvalidTransition("A verified task is closed: reopen it to add evidence.")
    links = [link for link in links if link]
    if not links and not files:
        raise InvalidInput("Nothing to attach: add a link or choose a file.", field="url")
    if len(links) + len(files) > MAX_EVIDENCE_PER_SUBMIT:
        raise InvalidInput(f"At most {MAX_EVIDENCE_PER_SUBMIT} pieces of evidence at once.", field="url")
    description = require_text(description, field="description", blank=True, max_length=300)
    conditional_update(task, expected_version=expected_version, changes={"updated_by": actor})
    added = [
        _store_evidence(task=task, actor=actor, now=now, url=u, upload=None, description=description)
        for u in links
    ]
    added += [
        _store_evidence(task=task, actor=actor, now=now, upload=f, description=description) for f in files
    ]
    for evidence in added:
        append_entry(
            directive=task.directive,
            kind=EntryKind.EVIDENCE_ADDED,
            occurred_at=now,
            actor=actor,
            now=now,
            task=task,
            summary=f"Evidence added to {task.title}: {evidence.original_name or evidence.url}"
            + (f" (SHA-256 {evidence.sha256})" if evidence.sha256 else ""),
            data={"url": evidence.url, "name": evidence.original_name, "sha256": evidence.sha256},
        )
    return added


def add_evidence(
    *,
    task: RemediationTask,
    actor: Any,
    now: dt.datetime,
    url: str = "",
    upload: UploadedFile | None = None,
    description: str = "",
    expected_version: int | None = None,
) -> Evidence:
    """One link or one file: ``attach_evidence`` with a single item."""
    return attach_evidence(
        task=task,
        actor=actor,
        now=now,
        links=[url] if upload is None else [],
        files=[upload] if upload is not None else [],
        description=description,
        expected_version=expected_version,
    )[0]
