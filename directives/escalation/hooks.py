"""What the task and obligation services call: a subject's first marker, stopping and restarting its
ladder, and telling a new assignee. Each runs inside the calling service's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from ..choices import EntryKind, ObligationStatus
from ..models import (
    Escalation,
    EscalationSubject,
    Notification,
    NotificationStatus,
    Obligation,
    RemediationTask,
    WebhookEndpoint,
    WebhookEvent,
)
from ..services.timeline import append_entry
from ..states import TASK_ACTIVE
from . import messages
from .ladder import next_marker
from .policies import ladder_for, last_fired_at


def next_escalation_for_task(task: RemediationTask, *, now: dt.datetime) -> dt.datetime | None:
    """When the sweep should next look at ``task``: ``ladder.next_marker`` after the last step recorded on
    its current ladder (or from the ladder's start, which may already be past: the sweep then catches up).
    ``task`` may be an unsaved probe carrying the new values; with a pk the task's current ladder is
    continued."""
    if task.status not in TASK_ACTIVE or task.due_at is None:
        return None
    ladder = ladder_for(EscalationSubject.TASK, task.priority)
    last = last_fired_at(task_id=task.pk) if task.pk else None
    return next_marker(ladder, task.due_at, last, can_be_missed=False)


def next_escalation_for_obligation(obligation: Obligation, *, now: dt.datetime) -> dt.datetime | None:
    """For an open obligation: its next reminder, or the instant it becomes missed."""
    if obligation.status != ObligationStatus.OPEN:
        return None
    ladder = ladder_for(EscalationSubject.OBLIGATION, "")
    last = last_fired_at(obligation_id=obligation.pk) if obligation.pk else None
    return next_marker(ladder, obligation.due_at, last, can_be_missed=True)


def _cancel_pending_notifications(**subject: Any) -> int:
    return Notification.objects.filter(
        status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED],
        escalation__isnull=False,
        **subject,
    ).update(status=NotificationStatus.CANCELLED, last_error="cancelled: the escalation no longer applies")


def _subject(
    task: RemediationTask | None, obligation: Obligation | None
) -> tuple[dict[str, Any], RemediationTask | Obligation]:
    target = task if task is not None else obligation
    if target is None:
        raise ValueError("a task or an obligation is required")
    return ({"task": task} if task is not None else {"obligation": obligation}), target


def _cancelled_entry(
    target: Any, subject: dict[str, Any], *, actor: Any, now: dt.datetime, summary: str, data: dict[str, Any]
) -> None:
    append_entry(
        directive=target.directive,
        kind=EntryKind.ESCALATION_CANCELLED,
        occurred_at=now,
        actor=actor,
        now=now,
        summary=summary,
        data=data,
        **subject,
    )


@transaction.atomic
def stop_escalation(
    *,
    task: RemediationTask | None = None,
    obligation: Obligation | None = None,
    actor: Any,
    now: dt.datetime,
    reason: str,
    had_next: dt.datetime | None,
) -> bool:
    """The subject was resolved (or met, waived): cancel what is pending (its notifications not yet
    delivered), with a timeline entry when there was anything to cancel. Returns whether there was."""
    subject, target = _subject(task, obligation)
    cancelled = _cancel_pending_notifications(**subject)
    if had_next is None and not cancelled:
        return False
    zone = target.directive.authority
    summary = messages.stopped_summary(
        title=target.title, reason=reason, had_next=had_next, cancelled=cancelled, zone=zone
    )
    data = {
        "reason": reason,
        "next_escalation_at": had_next.isoformat() if had_next else None,
        "notifications_cancelled": cancelled,
        "level": target.escalation_level,
    }
    _cancelled_entry(target, subject, actor=actor, now=now, summary=summary, data=data)
    return True


@transaction.atomic
def restart_ladder(
    *,
    task: RemediationTask | None = None,
    obligation: Obligation | None = None,
    actor: Any,
    now: dt.datetime,
    reason: str,
) -> int:
    """The due instant (or priority, or a reopen) changed: the current ladder is superseded so that the new
    one starts from level 0 and may fire every step again. Call after the subject's row has been updated
    (its level reset and marker recomputed). Writes a timeline entry when a ladder had started."""
    subject, target = _subject(task, obligation)
    superseded = Escalation.objects.filter(superseded_at__isnull=True, **subject).update(
        superseded_at=now, superseded_reason=reason[:200]
    )
    cancelled = _cancel_pending_notifications(**subject)
    if superseded or cancelled:
        nxt = target.next_escalation_at
        zone = target.directive.authority
        summary = messages.restarted_summary(
            title=target.title, reason=reason, superseded=superseded, next_check=nxt, zone=zone
        )
        data = {
            "reason": reason,
            "superseded": superseded,
            "notifications_cancelled": cancelled,
            "next_escalation_at": nxt.isoformat() if nxt else None,
        }
        _cancelled_entry(target, subject, actor=actor, now=now, summary=summary, data=data)
    return superseded


@transaction.atomic
def notify_assignment(
    *, task: RemediationTask, assignee: Any, actor: Any, now: dt.datetime
) -> list[Notification]:
    """Tell the new assignee (and subscribed webhooks) about a task handed to them, through the outbox."""
    directive = task.directive
    text, data = messages.assignment_message(task=task, directive=directive, assignee=assignee, actor=actor)
    stamp = f"{task.pk}:{task.version}:{now.timestamp():.6f}"
    rows: list[Notification] = []
    common = {
        "event": WebhookEvent.TASK_ASSIGNED,
        "directive": directive,
        "task": task,
        "status": NotificationStatus.PENDING,
        "next_attempt_at": now,
        "created_at": now,
    }
    if assignee is not None and assignee.email:
        rows.append(
            Notification(
                idempotency_key=f"assigned:{stamp}:user:{assignee.pk}",
                channel=messages.EMAIL,
                recipient=f"user:{assignee.get_username()}",
                user=assignee,
                payload={
                    "subject": f"[Docket] Assigned to you: {task.title}",
                    "text": text,
                    "to": [assignee.email],
                    "data": data,
                },
                **common,
            )
        )
    for endpoint in _subscribed_endpoints(WebhookEvent.TASK_ASSIGNED):
        rows.append(
            Notification(
                idempotency_key=f"assigned:{stamp}:webhook:{endpoint.pk}",
                channel=messages.WEBHOOK,
                recipient=f"webhook:{endpoint.name}",
                webhook=endpoint,
                payload={"subject": "Task assigned", "text": text, "to": [], "data": data},
                **common,
            )
        )
    return Notification.objects.bulk_create(rows)


def _subscribed_endpoints(event: str) -> list[WebhookEndpoint]:
    return [w for w in WebhookEndpoint.objects.filter(active=True) if w.subscribes_to(event)]
