"""What the escalation engine says: timeline summaries and notification rows, as pure functions of plain
data. Instants are shown through ``directives.instants`` (words with a weekday, the authority's zone and UTC;
ISO 8601 only inside the machine-readable ``data``)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from .. import instants, wording
from ..choices import EntryKind, ObligationStatus
from ..models import NotificationChannel, NotificationStatus, WebhookEvent
from ..services.timeline import SYSTEM
from .ladder import Firing

EMAIL = NotificationChannel.EMAIL
WEBHOOK = NotificationChannel.WEBHOOK


@dataclass
class Subject:
    """A claimed task or obligation, as the sweep read it."""

    is_task: bool
    pk: int
    directive_id: int
    title: str
    priority: str
    due_at: dt.datetime
    level: int
    marker: dt.datetime
    assignee_id: int | None
    status: str
    existed_from: dt.datetime  # the directive's receipt or the subject's creation, whichever is later

    @functools.cached_property
    def due_iso(self) -> str:  # written three times per escalation
        return self.due_at.isoformat()


@dataclass
class Planned:
    subject: Subject
    firing: Firing
    notify: bool
    from_level: int

    @functools.cached_property
    def at_iso(self) -> str:
        return self.firing.at.isoformat()


@dataclass(frozen=True)
class DirectiveInfo:
    reference: str
    zone: str


@dataclass
class Recipients:
    """Names and addresses, looked up once per sweep (users per batch)."""

    groups: dict[int, tuple[str, list[str]]]
    users: dict[int, tuple[str, str]]
    webhooks: dict[int, Any]  # id -> WebhookEndpoint
    subscribed: dict[str, list[Any]]  # event -> WebhookEndpoints


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def stopped_summary(
    *, title: str, reason: str, had_next: dt.datetime | None, cancelled: int, zone: object
) -> str:
    parts = []
    if had_next is not None:
        parts.append(f"next step was due {instants.legal(had_next, zone)}")
    if cancelled:
        parts.append(f"{_plural(cancelled, 'undelivered notification')} cancelled")
    return f"Escalation stopped ({reason}): {title}; " + "; ".join(parts)


def restarted_summary(
    *, title: str, reason: str, superseded: int, next_check: dt.datetime | None, zone: object
) -> str:
    when = instants.legal(next_check, zone) if next_check else "none"
    return (
        f"Escalation restarted ({reason}): {title}; {_plural(superseded, 'earlier step')} superseded; "
        f"next check {when}"
    )


def assignment_message(*, task: Any, directive: Any, assignee: Any, actor: Any) -> tuple[str, dict[str, Any]]:
    """The text and data of the notification that tells ``assignee`` a task is theirs."""
    due = (
        instants.work(task.due_at, instants.viewer_zone(assignee), directive.authority)
        if task.due_at
        else "no due date"
    )
    text = (
        f"[Docket {task.priority}] {directive.reference}: task '{task.title}' assigned to "
        f"{assignee.get_username() if assignee else 'nobody'} by {actor.get_username() if actor else SYSTEM}; "
        f"due {due}"
        + (f"; escalated: {wording.level_words(task.escalation_level)}." if task.escalation_level else ".")
    )
    data = {
        "event": WebhookEvent.TASK_ASSIGNED.value,
        "directive": {"id": directive.pk, "reference": directive.reference},
        "task": {
            "id": task.pk,
            "title": task.title,
            "priority": task.priority,
            "due_at": task.due_at.isoformat() if task.due_at else None,
        },
        "assignee": assignee.get_username() if assignee else None,
    }
    return text, data


def _step_sentence(p: Planned) -> str:
    """``Level 3 of 3: 4 hours overdue (executive), 34th repeat``; ``Reminder, 2nd repeat``."""
    step = p.firing.step
    return wording.escalation_words(
        level=step.level, top=step.top or None, name=step.name, repeat=p.firing.repeat
    )


def when(due: dt.datetime, at: dt.datetime) -> str:
    """How ``at`` stands against the due instant: ``due in 1 h``, ``now due``, ``2 h 5 min overdue``."""
    if at == due:
        return "now due"
    return instants.relative(due, at)


def _dated(at: dt.datetime, s: Subject, now: dt.datetime) -> dt.datetime:
    """An entry's occurred_at: never before its subject existed, never after the sweep's instant."""
    return min(max(at, s.existed_from), now)


def _entry(s: Subject, now: dt.datetime, **fields: Any) -> dict[str, Any]:
    return {
        "recorded_at": now,
        "actor_id": None,
        "actor_label": SYSTEM,
        "task_id": s.pk if s.is_task else None,
        "obligation_id": None if s.is_task else s.pk,
        "product_id": None,
        "supersedes_id": None,
        **fields,
    }


def escalation_entry(p: Planned, now: dt.datetime, directive: DirectiveInfo) -> dict[str, Any]:
    """The timeline entry of one recorded firing."""
    s, step = p.subject, p.firing.step
    what = "Task" if s.is_task else "Obligation"
    sentence = _step_sentence(p)
    note = (
        ""
        if p.notify
        else " Recorded during catch-up; not notified (a later level was reached in the same sweep)."
    )
    if step.reminder:
        kind = EntryKind.REMINDER_SENT
        summary = (
            f"{sentence}: {what.lower()} '{s.title}' due {instants.legal(s.due_at, directive.zone)}.{note}"
        )
    else:
        kind = EntryKind.ESCALATED
        standing = when(s.due_at, p.firing.at)
        standing = "It fell due at that moment" if standing == "now due" else f"It was {standing}"
        summary = f"{what} '{s.title}' escalated. {sentence}. {standing}.{note}"
    data = {
        "level": step.level,
        "from_level": p.from_level,
        "repeat": p.firing.repeat,
        "step": step.name,
        "scheduled_at": p.at_iso,
        "due_at": s.due_iso,
        "notified": p.notify,
        "catch_up": not p.notify,
    }
    return _entry(s, now, kind=kind, occurred_at=_dated(p.firing.at, s, now), summary=summary, data=data)


def missed_entry(s: Subject, now: dt.datetime, directive: DirectiveInfo) -> dict[str, Any]:
    """The timeline entry of an obligation that became missed."""
    summary = f"Obligation missed: {s.title}; it was due {instants.legal(s.due_at, directive.zone)} and was not met."
    data = {"due_at": s.due_iso, "from": s.status, "to": ObligationStatus.MISSED.value}
    return _entry(
        s,
        now,
        kind=EntryKind.OBLIGATION_MISSED,
        occurred_at=_dated(s.due_at, s, now),
        summary=summary,
        data=data,
    )


def skipped_entry(
    s: Subject, skipped: tuple[Firing, ...], now: dt.datetime, directive: DirectiveInfo
) -> dict[str, Any]:
    """The one timeline entry that says a subject's reminders were skipped: their instants came before it
    existed (a deadline that was already close when the directive was logged)."""
    what = "task" if s.is_task else "obligation"
    first = min(f.at for f in skipped)
    summary = (
        f"{_plural(len(skipped), 'reminder')} not sent for {what} '{s.title}': due "
        f"{instants.legal(first, directive.zone)}, before the {what} existed "
        f"({instants.legal(s.existed_from, directive.zone)})."
    )
    data = {
        "skipped": [
            {"level": f.step.level, "repeat": f.repeat, "scheduled_at": f.at.isoformat()} for f in skipped
        ],
        "existed_from": s.existed_from.isoformat(),
        "due_at": s.due_iso,
    }
    return _entry(
        s,
        now,
        kind=EntryKind.REMINDER_SKIPPED,
        occurred_at=_dated(s.existed_from, s, now),
        summary=summary,
        data=data,
    )


def _event(p: Planned, now: dt.datetime) -> WebhookEvent:
    if p.firing.step.reminder:
        return WebhookEvent.REMINDER
    if not p.subject.is_task and instants.is_past_due(p.subject.due_at, now):
        return WebhookEvent.OBLIGATION_MISSED
    return WebhookEvent.ESCALATED


def _texts(p: Planned, event: WebhookEvent, now: dt.datetime, directive: DirectiveInfo) -> tuple[str, str]:
    """A notification's subject line and text."""
    s, step = p.subject, p.firing.step
    what = "task" if s.is_task else "obligation"
    tag = f"[Docket {s.priority}]" if s.is_task else "[Docket]"
    due_text = instants.legal(s.due_at, directive.zone)
    if step.reminder:
        subject_line = f"{tag} Reminder: '{s.title}' due {when(s.due_at, now).removeprefix('due ')}"
        text = f"{tag} {directive.reference}: reminder, {what} '{s.title}' is due {due_text}."
    elif event == WebhookEvent.OBLIGATION_MISSED:
        subject_line = f"{tag} Obligation missed: {s.title}"
        text = f"{tag} {directive.reference}: obligation '{s.title}' was due {due_text} and is MISSED. {_step_sentence(p)}."
    else:
        sentence = _step_sentence(p)
        subject_line = f"{tag} {sentence}: {s.title}"
        text = f"{tag} {directive.reference}: {what} '{s.title}' is {when(s.due_at, now)} (due {due_text}). {sentence}."
    return subject_line, text


def notification_rows(
    p: Planned, escalation_id: int, now: dt.datetime, directive: DirectiveInfo, recipients: Recipients
) -> list[dict[str, Any]]:
    """The outbox rows of one notified firing: its users (the assignee first), groups and webhooks."""
    s, step = p.subject, p.firing.step
    event = _event(p, now)
    subject_line, text = _texts(p, event, now, directive)
    what = "task" if s.is_task else "obligation"
    data = {
        "event": event.value,
        "directive": {"id": s.directive_id, "reference": directive.reference},
        what: {
            "id": s.pk,
            "title": s.title,
            "due_at": s.due_iso,
            **({"priority": s.priority} if s.is_task else {}),
        },
        "level": step.level,
        "repeat": p.firing.repeat,
        "step": step.name,
        "scheduled_at": p.at_iso,
        "escalation_id": escalation_id,
    }
    base = {
        "event": event.value,
        "directive_id": s.directive_id,
        "task_id": s.pk if s.is_task else None,
        "obligation_id": None if s.is_task else s.pk,
        "escalation_id": escalation_id,
        "status": NotificationStatus.PENDING.value,
        "next_attempt_at": now,
        "created_at": now,
    }
    key = f"escalation:{escalation_id}"

    def row(suffix: str, channel: str, recipient: str, to: list[str], **target: Any) -> dict[str, Any]:
        payload = {"subject": subject_line, "text": text, "to": to, "data": data}
        return {
            "idempotency_key": f"{key}:{suffix}",
            "channel": channel,
            "recipient": recipient,
            "payload": payload,
            **target,
            **base,
        }

    rows: list[dict[str, Any]] = []
    user_targets = ([s.assignee_id] if step.notify_assignee and s.assignee_id is not None else []) + list(
        step.user_ids
    )
    for uid in dict.fromkeys(user_targets):
        username, email = recipients.users.get(uid, ("", ""))
        if email:
            rows.append(row(f"user:{uid}", EMAIL.value, f"user:{username}", [email], user_id=uid))
    for gid in step.group_ids:
        name, emails = recipients.groups.get(gid, ("", []))
        if emails:  # addresses: the group's members when the email is sent
            rows.append(row(f"group:{gid}", EMAIL.value, f"group:{name}", [], group_id=gid))
    hooks = {w: recipients.webhooks[w] for w in step.webhook_ids if w in recipients.webhooks}
    for endpoint in recipients.subscribed.get(event.value, []):
        hooks.setdefault(endpoint.pk, endpoint)
    for wid, endpoint in hooks.items():
        rows.append(row(f"webhook:{wid}", WEBHOOK.value, f"webhook:{endpoint.name}", [], webhook_id=wid))
    return rows
