"""The escalation engine: policies -> schedules, the sweep, and the hooks the task/obligation services call.

How a subject (a remediation task or an obligation) moves up its ladder
------------------------------------------------------------------------
A policy's steps fire at ``due_at + offset`` (level 0 is the reminder before due; levels 1, 2, ... at
or after it); a step with ``repeat_every`` fires again at that interval until the next step's instant.
The subject's ``next_escalation_at`` is the marker: every firing before it has been handled, the sweep
handles every firing in ``[next_escalation_at, now]`` and moves the marker to the first firing after
``now``. After downtime that window holds several firings (catch-up): each missed step is recorded once,
in order (repetitions of one step collapse to the latest), and only the last, highest one is notified.

The sweep claims due rows in batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's IMMEDIATE
transaction serialises writers) and writes per batch, in one transaction and a constant number of
statements: the escalation rows, the outbox rows, the subjects' new level and marker (one ``UPDATE``
from arrays), and last their timeline entries, chained in memory under the directives' row locks, which
are taken just before and so held only for the chain write and the commit (foreign keys are checked
statement by statement, not at commit).
The partial unique constraints on ``Escalation`` make a duplicate impossible, whatever runs at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import math
import operator
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, models, transaction
from django.db.models import Max, OuterRef, Subquery

from .. import states
from ..choices import EntryKind, ObligationStatus, TaskStatus
from ..deadlines import require_aware
from ..models import (
    Directive,
    Escalation,
    EscalationPolicy,
    EscalationSubject,
    Notification,
    NotificationChannel,
    NotificationStatus,
    Obligation,
    RemediationTask,
    SweepRun,
    TimelineEntry,
    WebhookEndpoint,
    WebhookEvent,
)
from ..states import TASK_ACTIVE
from .timeline import GENESIS, SYSTEM, append_entry, entry_payload

log = logging.getLogger("docket.escalation")

ACTIVE_TASK_STATUSES = [s.value for s in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)]
if frozenset(ACTIVE_TASK_STATUSES) != frozenset(TASK_ACTIVE):  # pragma: no cover
    raise RuntimeError("the sweep's task statuses must match the partial index task_escalation_due")


# --- Policies as plain data ----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    id: int
    level: int
    name: str
    offset: dt.timedelta
    repeat_every: dt.timedelta | None
    notify_assignee: bool
    user_ids: tuple[int, ...]
    group_ids: tuple[int, ...]
    webhook_ids: tuple[int, ...]

    @property
    def reminder(self) -> bool:
        return self.level == 0


@dataclass(frozen=True)
class Ladder:
    policy_id: int
    name: str
    steps: tuple[Step, ...]  # ordered by offset, then level


@dataclass(frozen=True)
class Firing:
    step: Step
    repeat: int
    at: dt.datetime


def load_ladders() -> dict[tuple[str, str], Ladder]:
    """Every active policy, keyed by (applies_to, priority); a handful of queries, once per sweep."""
    ladders: dict[tuple[str, str], Ladder] = {}
    policies = EscalationPolicy.objects.filter(active=True).prefetch_related(
        "steps", "steps__notify_users", "steps__notify_groups", "steps__notify_webhooks"
    )
    for policy in policies:
        steps = tuple(
            sorted(
                (
                    Step(
                        id=s.pk,
                        level=s.level,
                        name=s.name,
                        offset=s.offset,
                        repeat_every=s.repeat_every,
                        notify_assignee=s.notify_assignee,
                        user_ids=tuple(u.pk for u in s.notify_users.all()),
                        group_ids=tuple(g.pk for g in s.notify_groups.all()),
                        webhook_ids=tuple(w.pk for w in s.notify_webhooks.all()),
                    )
                    for s in policy.steps.all()
                ),
                key=lambda s: (s.offset, s.level),
            )
        )
        if steps:
            ladders[(policy.applies_to, policy.priority)] = Ladder(policy.pk, policy.name, steps)
    return ladders


def _step_window(ladder: Ladder, index: int, due: dt.datetime) -> tuple[dt.datetime, dt.datetime | None]:
    """A step's first instant and the instant its repetitions stop (the next step's), if any."""
    step = ladder.steps[index]
    start = due + step.offset
    for later in ladder.steps[index + 1 :]:
        if later.offset > step.offset:
            return start, due + later.offset
    return start, None


def next_firing_after(ladder: Ladder, due: dt.datetime, after: dt.datetime | None) -> dt.datetime | None:
    """The first firing instant strictly after ``after`` (or the very first one when ``after`` is None)."""
    best: dt.datetime | None = None
    for index, step in enumerate(ladder.steps):
        start, stop = _step_window(ladder, index, due)
        candidate: dt.datetime | None
        if after is None or start > after:
            candidate = start
        elif step.repeat_every:
            k = math.floor((after - start) / step.repeat_every) + 1
            candidate = start + k * step.repeat_every
            if stop is not None and candidate >= stop:
                candidate = None
        else:
            candidate = None
        if candidate is not None and (best is None or candidate < best):
            best = candidate
    return best


def firings_between(ladder: Ladder, due: dt.datetime, start: dt.datetime, end: dt.datetime) -> list[Firing]:
    """The firings with ``start <= at <= end``, one per step (a step's repetitions collapse to the latest
    in the window), in firing order."""
    found: list[Firing] = []
    for index, step in enumerate(ladder.steps):
        first, stop = _step_window(ladder, index, due)
        if first > end:
            continue
        k = 0
        if step.repeat_every:
            last_allowed = end if stop is None else min(end, stop - dt.timedelta(microseconds=1))
            k = max(0, math.floor((last_allowed - first) / step.repeat_every))
        at = first + k * (step.repeat_every or dt.timedelta(0))
        if at >= start:
            found.append(Firing(step, k, at))
    found.sort(key=lambda f: (f.at, f.step.level))
    return found


def _ladder_for_task(priority: str, ladders: dict[tuple[str, str], Ladder] | None = None) -> Ladder | None:
    ladders = ladders if ladders is not None else load_ladders()
    return ladders.get((EscalationSubject.TASK.value, str(priority)))


def _ladder_for_obligation(ladders: dict[tuple[str, str], Ladder] | None = None) -> Ladder | None:
    ladders = ladders if ladders is not None else load_ladders()
    return ladders.get((EscalationSubject.OBLIGATION.value, ""))


def _last_fired_at(**subject: Any) -> dt.datetime | None:
    value: dt.datetime | None = Escalation.objects.filter(superseded_at__isnull=True, **subject).aggregate(
        last=Max("scheduled_at")
    )["last"]
    return value


# --- Hooks for the task and obligation services -------------------------------------------------


def next_escalation_for_task(task: RemediationTask, *, now: dt.datetime) -> dt.datetime | None:
    """When the sweep should next look at ``task``: the first firing of its priority's ladder after the
    last one recorded on its current ladder (or the ladder's first firing, which may already be past:
    the sweep then catches up). ``task`` may be an unsaved probe carrying the new values; with a pk the
    task's current ladder is continued."""
    if task.status not in TASK_ACTIVE or task.due_at is None:
        return None
    ladder = _ladder_for_task(task.priority)
    if ladder is None:
        return None
    last = _last_fired_at(task_id=task.pk) if task.pk else None
    return next_firing_after(ladder, task.due_at, last)


def next_escalation_for_obligation(obligation: Obligation, *, now: dt.datetime) -> dt.datetime | None:
    """For an open obligation: its next reminder, or its due instant (when it becomes missed)."""
    if obligation.status != ObligationStatus.OPEN:
        return None
    ladder = _ladder_for_obligation()
    last = _last_fired_at(obligation_id=obligation.pk) if obligation.pk else None
    candidates = [obligation.due_at] if last is None or obligation.due_at > last else []
    if ladder is not None:
        nxt = next_firing_after(ladder, obligation.due_at, last)
        if nxt is not None:
            candidates.append(nxt)
    return min(candidates) if candidates else None


def _cancel_pending_notifications(*, now: dt.datetime, **subject: Any) -> int:
    return Notification.objects.filter(
        status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED],
        escalation__isnull=False,
        **subject,
    ).update(status=NotificationStatus.CANCELLED, last_error="cancelled: the escalation no longer applies")


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
    subject: dict[str, Any] = {"task": task} if task is not None else {"obligation": obligation}
    target = task if task is not None else obligation
    if target is None:
        raise ValueError("a task or an obligation is required")
    cancelled = _cancel_pending_notifications(now=now, **subject)
    if had_next is None and not cancelled:
        return False
    parts = []
    if had_next is not None:
        parts.append(f"next step was due {had_next.isoformat()}")
    if cancelled:
        parts.append(f"{cancelled} undelivered notification{'s' if cancelled != 1 else ''} cancelled")
    append_entry(
        directive=target.directive,
        kind=EntryKind.ESCALATION_CANCELLED,
        occurred_at=now,
        actor=actor,
        now=now,
        summary=f"Escalation stopped ({reason}): {target.title}; " + "; ".join(parts),
        data={
            "reason": reason,
            "next_escalation_at": had_next.isoformat() if had_next else None,
            "notifications_cancelled": cancelled,
            "level": target.escalation_level,
        },
        **subject,
    )
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
    subject: dict[str, Any] = {"task": task} if task is not None else {"obligation": obligation}
    target = task if task is not None else obligation
    if target is None:
        raise ValueError("a task or an obligation is required")
    superseded = Escalation.objects.filter(superseded_at__isnull=True, **subject).update(
        superseded_at=now, superseded_reason=reason[:200]
    )
    cancelled = _cancel_pending_notifications(now=now, **subject)
    if superseded or cancelled:
        nxt = target.next_escalation_at
        append_entry(
            directive=target.directive,
            kind=EntryKind.ESCALATION_CANCELLED,
            occurred_at=now,
            actor=actor,
            now=now,
            summary=f"Escalation restarted ({reason}): {target.title}; {superseded} earlier step"
            f"{'s' if superseded != 1 else ''} superseded; next check "
            + (nxt.isoformat() if nxt else "none"),
            data={
                "reason": reason,
                "superseded": superseded,
                "notifications_cancelled": cancelled,
                "next_escalation_at": nxt.isoformat() if nxt else None,
            },
            **subject,
        )
    return superseded


@transaction.atomic
def notify_assignment(
    *, task: RemediationTask, assignee: Any, actor: Any, now: dt.datetime
) -> list[Notification]:
    """Tell the new assignee (and subscribed webhooks) about a task handed to them, through the outbox."""
    directive = task.directive
    due = task.due_at.isoformat() if task.due_at else "no due date"
    text = (
        f"[Docket {task.priority}] {directive.reference}: task '{task.title}' assigned to "
        f"{assignee.get_username() if assignee else 'nobody'} by {actor.get_username() if actor else SYSTEM}; "
        f"due {due}; escalation level {task.escalation_level}."
    )
    data = {
        "event": WebhookEvent.TASK_ASSIGNED.value,
        "directive": {"id": directive.pk, "reference": directive.reference},
        "task": {"id": task.pk, "title": task.title, "priority": task.priority, "due_at": _iso(task.due_at)},
        "assignee": assignee.get_username() if assignee else None,
    }
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
                channel=NotificationChannel.EMAIL,
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
                channel=NotificationChannel.WEBHOOK,
                recipient=f"webhook:{endpoint.name}",
                webhook=endpoint,
                payload={"subject": "Task assigned", "text": text, "to": [], "data": data},
                **common,
            )
        )
    return Notification.objects.bulk_create(rows)


def _subscribed_endpoints(event: str) -> list[WebhookEndpoint]:
    return [w for w in WebhookEndpoint.objects.filter(active=True) if w.subscribes_to(event)]


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- The sweep ----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    now: dt.datetime
    elapsed_s: float = 0.0
    batches: int = 0
    tasks: int = 0
    obligations: int = 0
    escalations: int = 0
    reminders: int = 0
    caught_up: int = 0  # steps recorded without a notification (catch-up: only the highest is notified)
    obligations_missed: int = 0
    notifications: int = 0
    retried_batches: int = 0
    by_level: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "batches": self.batches,
            "tasks": self.tasks,
            "obligations": self.obligations,
            "escalations": self.escalations,
            "reminders": self.reminders,
            "caught_up": self.caught_up,
            "obligations_missed": self.obligations_missed,
            "notifications": self.notifications,
            "retried_batches": self.retried_batches,
            "by_level": dict(sorted(self.by_level.items())),
            "elapsed_ms": round(self.elapsed_s * 1000, 1),
        }

    def __str__(self) -> str:
        return (
            f"sweep at {self.now.isoformat()}: {self.tasks} task(s) and {self.obligations} obligation(s) due; "
            f"{self.escalations} escalation(s) recorded ({self.reminders} reminder(s), {self.caught_up} caught up "
            f"without notifying), {self.obligations_missed} obligation(s) missed, {self.notifications} "
            f"notification(s) queued, {self.batches} batch(es) in {self.elapsed_s * 1000:.1f} ms"
        )


@dataclass
class _Recipients:
    """Names and addresses, looked up once per sweep (users per batch)."""

    groups: dict[int, tuple[str, list[str]]]
    users: dict[int, tuple[str, str]]
    webhooks: dict[int, WebhookEndpoint]
    subscribed: dict[str, list[WebhookEndpoint]]


def _load_recipients(ladders: Iterable[Ladder]) -> _Recipients:
    from django.contrib.auth.models import Group

    group_ids = {g for ladder in ladders for s in ladder.steps for g in s.group_ids}
    user_ids = {u for ladder in ladders for s in ladder.steps for u in s.user_ids}
    groups: dict[int, tuple[str, list[str]]] = {}
    if group_ids:
        names = dict(Group.objects.filter(pk__in=group_ids).values_list("pk", "name"))
        members: dict[int, list[str]] = defaultdict(list)
        user_model = get_user_model()
        for gid, email in (
            user_model.objects.filter(groups__in=group_ids, is_active=True)
            .exclude(email="")
            .order_by("groups", "email")
            .values_list("groups", "email")
        ):
            members[gid].append(email)
        groups = {gid: (names[gid], members.get(gid, [])) for gid in names}
    webhooks = {w.pk: w for w in WebhookEndpoint.objects.filter(active=True)}
    subscribed = {
        event.value: [w for w in webhooks.values() if w.subscribes_to(event.value)] for event in WebhookEvent
    }
    recipients = _Recipients(groups=groups, users={}, webhooks=webhooks, subscribed=subscribed)
    _load_users(recipients, user_ids)
    return recipients


def _load_users(recipients: _Recipients, user_ids: Iterable[int]) -> None:
    missing = {u for u in user_ids if u is not None and u not in recipients.users}
    if missing:
        for pk, username, email, active in (
            get_user_model()
            .objects.filter(pk__any=missing)
            .values_list("pk", "username", "email", "is_active")
        ):
            recipients.users[pk] = (username, email if active else "")


@dataclass
class _Subject:
    kind: str  # EscalationSubject
    pk: int
    directive_id: int
    title: str
    priority: str
    due_at: dt.datetime
    level: int
    marker: dt.datetime
    assignee_id: int | None

    @functools.cached_property
    def due_iso(self) -> str:  # written three times per escalation
        return self.due_at.isoformat()


@dataclass
class _Planned:
    subject: _Subject
    firing: Firing
    notify: bool

    @functools.cached_property
    def at_iso(self) -> str:
        return self.firing.at.isoformat()


def sweep(*, now: dt.datetime, batch_size: int | None = None) -> SweepResult:
    """Escalate every task and obligation whose ``next_escalation_at`` has come; see the module docstring.
    Safe to run twice and to run concurrently: claimed rows are locked, and the database refuses a
    duplicate escalation or notification."""
    require_aware(now, field="now")
    started = time.perf_counter()
    size = batch_size or settings.DOCKET_SWEEP_BATCH_SIZE
    result = SweepResult(now=now)
    ladders: dict[tuple[str, str], Ladder] | None = None
    recipients: _Recipients | None = None
    for kind in (EscalationSubject.TASK, EscalationSubject.OBLIGATION):
        if not _anything_due(kind, now):  # the common case: one indexed probe, nothing loaded
            continue
        if ladders is None or recipients is None:
            ladders = load_ladders()
            recipients = _load_recipients(ladders.values())
        while True:
            claimed = _run_batch(
                kind=kind, now=now, size=size, ladders=ladders, recipients=recipients, result=result
            )
            if claimed < size:
                break
    result.elapsed_s = time.perf_counter() - started
    _record_run(result)
    return result


def more_due_than(count: int, *, now: dt.datetime) -> bool:
    """Whether more than ``count`` tasks and obligations are due at ``now`` (at most count + 1 index
    entries read per kind): the sweep task asks more workers to share a backlog of more than one batch."""
    seen = 0
    for kind in (EscalationSubject.TASK, EscalationSubject.OBLIGATION):
        seen += _due_queryset(kind, now).order_by()[: count + 1 - seen].count()
        if seen > count:
            return True
    return False


def _anything_due(kind: str, now: dt.datetime) -> bool:
    return bool(_due_queryset(kind, now).exists())


def _due_queryset(kind: str, now: dt.datetime) -> Any:
    # The conditions repeat the partial indexes' literally, so that the planner uses them.
    if kind == EscalationSubject.TASK:
        return RemediationTask.objects.filter(
            status__in=ACTIVE_TASK_STATUSES, next_escalation_at__isnull=False, next_escalation_at__lte=now
        )
    return Obligation.objects.filter(
        status=ObligationStatus.OPEN, next_escalation_at__isnull=False, next_escalation_at__lte=now
    )


def _run_batch(
    *,
    kind: str,
    now: dt.datetime,
    size: int,
    ladders: dict[tuple[str, str], Ladder],
    recipients: _Recipients,
    result: SweepResult,
) -> int:
    for attempt in range(4):
        try:
            with transaction.atomic():
                return _batch(
                    kind=kind, now=now, size=size, ladders=ladders, recipients=recipients, result=result
                )
        except OperationalError as exc:  # a deadlock with a service locking in another order: try again
            if attempt == 3:
                raise
            result.retried_batches += 1
            log.warning("escalation batch retried after %s", exc)
            time.sleep(0.05 * (attempt + 1))
    return 0  # pragma: no cover


def _claim(kind: str, now: dt.datetime, size: int) -> list[_Subject]:
    qs = (
        _due_queryset(kind, now)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("next_escalation_at")
    )
    if kind == EscalationSubject.TASK:
        rows = qs.values_list(
            "pk",
            "directive_id",
            "title",
            "priority",
            "due_at",
            "escalation_level",
            "next_escalation_at",
            "assignee_id",
        )[:size]
        return [_Subject(EscalationSubject.TASK, *row) for row in rows]
    rows = qs.values_list("pk", "directive_id", "title", "due_at", "escalation_level", "next_escalation_at")[
        :size
    ]
    return [
        _Subject(EscalationSubject.OBLIGATION, r[0], r[1], r[2], "", r[3], r[4], r[5], None) for r in rows
    ]


def _batch(
    *,
    kind: str,
    now: dt.datetime,
    size: int,
    ladders: dict[tuple[str, str], Ladder],
    recipients: _Recipients,
    result: SweepResult,
) -> int:
    subjects = _claim(kind, now, size)
    if not subjects:
        return 0
    result.batches += 1
    is_task = kind == EscalationSubject.TASK
    subject_field = "task_id" if is_task else "obligation_id"
    existing = set(
        Escalation.objects.filter(
            superseded_at__isnull=True, **{f"{subject_field}__any": [s.pk for s in subjects]}
        ).values_list(subject_field, "level", "repeat")
    )

    # Plan: which steps fire for whom, and each subject's new level and marker.
    planned: list[_Planned] = []
    updates: list[tuple[int, int, dt.datetime | None, str | None]] = []  # pk, level, next, new status
    for s in subjects:
        ladder = ladders.get((kind, s.priority if is_task else ""))
        firings: list[Firing] = []
        if ladder is not None:
            firings = [
                f
                for f in firings_between(ladder, s.due_at, s.marker, now)
                if (s.pk, f.step.level, f.repeat) not in existing
            ]
        for i, firing in enumerate(firings):
            planned.append(_Planned(s, firing, notify=i == len(firings) - 1))
        level = max([s.level, *(f.step.level for f in firings)])
        nxt = next_firing_after(ladder, s.due_at, now) if ladder is not None else None
        new_status = None
        if not is_task:
            if s.due_at <= now:
                states.check(
                    states.OBLIGATION_TRANSITIONS,
                    ObligationStatus.OPEN,
                    ObligationStatus.MISSED,
                    what="obligation",
                )
                new_status, nxt = ObligationStatus.MISSED.value, None
            elif nxt is None or s.due_at < nxt:
                nxt = s.due_at
        updates.append((s.pk, level, nxt, new_status))

    # The directives' reference and zone (for the texts); their chains are locked later, just before the
    # timeline entries are written, so that the lock is held as briefly as possible.
    directive_ids = sorted({s.directive_id for s in subjects})
    directives = {
        pk: (reference, tz)
        for pk, reference, tz in Directive.objects.filter(pk__any=directive_ids).values_list(
            "pk", "reference", "authority__time_zone"
        )
    }
    if connection.vendor == "postgresql":
        # Foreign keys are checked as each statement ends, not all at commit, while no chain is locked yet.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    # Escalation rows (their ids name the notifications' idempotency keys).
    escalation_ids = _insert_rows_with_ids(
        Escalation,
        len(planned),
        (
            {
                "task_id": p.subject.pk if is_task else None,
                "obligation_id": None if is_task else p.subject.pk,
                "directive_id": p.subject.directive_id,
                "step_id": p.firing.step.id,
                "level": p.firing.step.level,
                "repeat": p.firing.repeat,
                "name": p.firing.step.name,
                "reminder": p.firing.step.reminder,
                "due_at": p.subject.due_at,
                "scheduled_at": p.firing.at,
                "fired_at": now,
                "notified": p.notify,
            }
            for p in planned
        ),
    )

    # Outbox rows for the notified firing of each subject.
    user_ids = {p.subject.assignee_id for p in planned if p.notify and p.firing.step.notify_assignee}
    _load_users(recipients, [u for u in user_ids if u is not None])
    notifications = _insert_rows(  # built as they are sent
        Notification,
        (
            row
            for p, escalation_id in zip(planned, escalation_ids, strict=True)
            if p.notify
            for row in _notifications_for(p, escalation_id, now, is_task, directives, recipients)
        ),
    )

    _update_subjects(is_task, updates)

    # Timeline entries, chained per directive in the order planned.
    per_directive: dict[int, list[dict[str, Any]]] = defaultdict(list)
    missed_now = {pk for pk, _, _, status in updates if status == ObligationStatus.MISSED}
    missed_written: set[int] = set()
    subjects_by_pk = {s.pk: s for s in subjects}
    for p in planned:
        s = p.subject
        if not is_task and s.pk in missed_now and p.firing.at >= s.due_at and s.pk not in missed_written:
            per_directive[s.directive_id].append(_missed_item(s, now, directives))
            missed_written.add(s.pk)
        per_directive[s.directive_id].append(_escalation_item(p, now, is_task, directives))
    for pk in missed_now - missed_written:
        s = subjects_by_pk[pk]
        per_directive[s.directive_id].append(_missed_item(s, now, directives))
    # Lock the chains (in id order, so that two sweeps cannot deadlock; FOR NO KEY UPDATE, which does not
    # wait for the KEY SHARE locks this batch's and another's foreign-key checks hold: timeline.lock_chain),
    # read their heads, write: the last statements before the commit.
    list(
        Directive.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__any=directive_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    heads = _chain_heads(directive_ids)

    def entry_rows() -> Iterator[dict[str, Any]]:  # chained and hashed as they are sent
        for directive_id, items in per_directive.items():
            seq, prev = heads.get(directive_id, (0, GENESIS))
            yield from _chain(directive_id=directive_id, start_seq=seq + 1, prev_hash=prev, items=items)

    _insert_rows(TimelineEntry, entry_rows())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default for the transaction

    result.tasks += len(subjects) if is_task else 0
    result.obligations += 0 if is_task else len(subjects)
    result.escalations += len(planned)
    result.reminders += sum(1 for p in planned if p.firing.step.reminder)
    result.caught_up += sum(1 for p in planned if not p.notify)
    result.obligations_missed += len(missed_now)
    result.notifications += notifications
    for p in planned:
        key = f"{kind}:{p.firing.step.level}"
        result.by_level[key] = result.by_level.get(key, 0) + 1
    return len(subjects)


def _chain_heads(directive_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Each chain's head (seq, hash), read after the chains are locked: one backward step on the
    (directive, seq) index per directive."""
    if connection.vendor == "postgresql":
        entries = connection.ops.quote_name(TimelineEntry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT h.directive_id, h.seq, h.hash FROM unnest(%s::bigint[]) AS d(id) "  # noqa: S608 (the table's own name)
                f"CROSS JOIN LATERAL (SELECT directive_id, seq, hash FROM {entries} "
                "WHERE directive_id = d.id ORDER BY seq DESC LIMIT 1) h",
                [directive_ids],
            )
            return {d: (seq, h) for d, seq, h in cursor.fetchall()}
    head_id = TimelineEntry.objects.filter(directive_id=OuterRef("pk")).order_by("-seq").values("pk")[:1]
    head_ids = Directive.objects.filter(pk__any=directive_ids).annotate(head=Subquery(head_id)).values("head")
    return {
        d: (seq, h)
        for d, seq, h in TimelineEntry.objects.filter(pk__in=head_ids).values_list(
            "directive_id", "seq", "hash"
        )
    }


def _chain(
    *, directive_id: int, start_seq: int, prev_hash: str, items: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """Chain new entries for one directive in memory, as ``timeline.entry_rows_for_bulk`` does but as plain
    rows (no model instances: this runs 10,000 times in a large sweep). The hash is the timeline's own
    ``entry_payload``; the data written here is JSON-native already, so it is its own canonical form."""
    seq, prev = start_seq, prev_hash
    for item in items:
        kind = str(item["kind"])
        digest = hashlib.sha256(
            entry_payload(
                directive_id=directive_id,
                seq=seq,
                kind=kind,
                occurred_at=item["occurred_at"],
                recorded_at=item["recorded_at"],
                actor_id=None,
                actor_label=item["actor_label"],
                summary=item["summary"],
                data=item["data"],
                obligation_id=item["obligation_id"],
                task_id=item["task_id"],
                product_id=None,
                supersedes_id=None,
                prev_hash=prev,
            )
        ).hexdigest()
        yield {
            "directive_id": directive_id,
            "seq": seq,
            "kind": kind,
            "occurred_at": item["occurred_at"],
            "recorded_at": item["recorded_at"],
            "actor_id": None,
            "actor_label": item["actor_label"],
            "summary": item["summary"],
            "data": item["data"],
            "obligation_id": item["obligation_id"],
            "task_id": item["task_id"],
            "product_id": None,
            "supersedes_id": None,
            "prev_hash": prev,
            "hash": digest,
        }
        seq, prev = seq + 1, digest


def _local(value: dt.datetime, tz: str) -> str:
    try:
        return value.astimezone(ZoneInfo(tz)).isoformat()
    except Exception:
        return value.isoformat()


def _when(p: _Planned, at: dt.datetime | None = None) -> str:
    """How far from due, at the step's instant (for the record) or at ``at`` (for a message sent now)."""
    delta = (at or p.firing.at) - p.subject.due_at
    if delta < dt.timedelta(0):
        return f"due in {_duration(-delta)}"
    if delta == dt.timedelta(0):
        return "now due"
    return f"{_duration(delta)} overdue"


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min" if mins else ""]
    return " ".join(p for p in parts if p) or "0 min"


def _escalation_item(
    p: _Planned, now: dt.datetime, is_task: bool, directives: dict[int, tuple[str, str]]
) -> dict[str, Any]:
    s, step = p.subject, p.firing.step
    _, tz = directives[s.directive_id]
    what = "Task" if is_task else "Obligation"
    repeat = f" (repeat {p.firing.repeat})" if p.firing.repeat else ""
    if p.notify:
        note = ""
    else:
        note = " Recorded during catch-up; not notified (a later level was reached in the same sweep)."
    if step.reminder:
        kind = EntryKind.REMINDER_SENT
        summary = (
            f"Reminder{repeat}: {what.lower()} '{s.title}' due {_local(s.due_at, tz)} ({s.due_iso}).{note}"
        )
    else:
        kind = EntryKind.ESCALATED
        summary = (
            f"{what} escalated to level {step.level}{repeat}: {step.name}: '{s.title}', {_when(p)}.{note}"
        )
    return {
        "kind": kind,
        "occurred_at": p.firing.at if p.firing.at <= now else now,
        "recorded_at": now,
        "actor": None,
        "actor_label": SYSTEM,
        "summary": summary,
        "data": {
            "level": step.level,
            "repeat": p.firing.repeat,
            "step": step.name,
            "scheduled_at": p.at_iso,
            "due_at": s.due_iso,
            "notified": p.notify,
            "catch_up": not p.notify,
        },
        "task_id": s.pk if is_task else None,
        "obligation_id": None if is_task else s.pk,
        "product_id": None,
        "supersedes": None,
    }


def _missed_item(s: _Subject, now: dt.datetime, directives: dict[int, tuple[str, str]]) -> dict[str, Any]:
    _, tz = directives[s.directive_id]
    return {
        "kind": EntryKind.OBLIGATION_MISSED,
        "occurred_at": s.due_at if s.due_at <= now else now,
        "recorded_at": now,
        "actor": None,
        "actor_label": SYSTEM,
        "summary": f"Obligation missed: {s.title}; it was due {_local(s.due_at, tz)} ({s.due_iso}) "
        f"and was not met.",
        "data": {"due_at": s.due_iso, "status": ObligationStatus.MISSED.value},
        "task_id": None,
        "obligation_id": s.pk,
        "product_id": None,
        "supersedes": None,
    }


def _notifications_for(
    p: _Planned,
    escalation_id: int,
    now: dt.datetime,
    is_task: bool,
    directives: dict[int, tuple[str, str]],
    recipients: _Recipients,
) -> list[dict[str, Any]]:
    s, step = p.subject, p.firing.step
    reference, tz = directives[s.directive_id]
    if step.reminder:
        event = WebhookEvent.REMINDER
    elif not is_task and s.due_at <= now:
        event = WebhookEvent.OBLIGATION_MISSED
    else:
        event = WebhookEvent.ESCALATED
    what = "task" if is_task else "obligation"
    tag = f"[Docket {s.priority}]" if is_task else "[Docket]"
    due_text = f"{_local(s.due_at, tz)} ({s.due_iso})"
    if step.reminder:
        subject_line = f"{tag} Reminder: '{s.title}' due {_when(p, now).removeprefix('due ')}"
        text = f"{tag} {reference}: reminder, {what} '{s.title}' is due {due_text}."
    elif event == WebhookEvent.OBLIGATION_MISSED:
        subject_line = f"{tag} Obligation missed: {s.title}"
        text = f"{tag} {reference}: obligation '{s.title}' was due {due_text} and is MISSED. {step.name}."
    else:
        subject_line = (
            f"{tag} {step.name}"
            + (f" (repeat {p.firing.repeat})" if p.firing.repeat else "")
            + f": {s.title}"
        )
        text = f"{tag} {reference}: {what} '{s.title}' is {_when(p, now)} (due {due_text}). {step.name}."
    data = {
        "event": event.value,
        "directive": {"id": s.directive_id, "reference": reference},
        what: {
            "id": s.pk,
            "title": s.title,
            "due_at": s.due_iso,
            **({"priority": s.priority} if is_task else {}),
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
        "task_id": s.pk if is_task else None,
        "obligation_id": None if is_task else s.pk,
        "escalation_id": escalation_id,
        "status": NotificationStatus.PENDING.value,
        "next_attempt_at": now,
        "created_at": now,
    }
    key = f"escalation:{escalation_id}"
    rows: list[dict[str, Any]] = []
    user_targets: list[int] = list(step.user_ids)
    if step.notify_assignee and s.assignee_id is not None:
        user_targets.insert(0, s.assignee_id)
    seen: set[int] = set()
    for uid in user_targets:
        if uid in seen or uid not in recipients.users:
            continue
        seen.add(uid)
        username, email = recipients.users[uid]
        if email:
            rows.append(
                {
                    "idempotency_key": f"{key}:user:{uid}",
                    "channel": NotificationChannel.EMAIL.value,
                    "recipient": f"user:{username}",
                    "user_id": uid,
                    "payload": {"subject": subject_line, "text": text, "to": [email], "data": data},
                    **base,
                }
            )
    for gid in step.group_ids:
        if gid in recipients.groups:
            name, emails = recipients.groups[gid]
            if emails:
                rows.append(
                    {
                        "idempotency_key": f"{key}:group:{gid}",
                        "channel": NotificationChannel.EMAIL.value,
                        "recipient": f"group:{name}",
                        "group_id": gid,  # addresses: the group's members when the email is sent
                        "payload": {"subject": subject_line, "text": text, "to": [], "data": data},
                        **base,
                    }
                )
    hooks: dict[int, WebhookEndpoint] = {
        w: recipients.webhooks[w] for w in step.webhook_ids if w in recipients.webhooks
    }
    for endpoint in recipients.subscribed.get(event.value, []):
        hooks.setdefault(endpoint.pk, endpoint)
    for wid, endpoint in hooks.items():
        rows.append(
            {
                "idempotency_key": f"{key}:webhook:{wid}",
                "channel": NotificationChannel.WEBHOOK.value,
                "recipient": f"webhook:{endpoint.name}",
                "webhook_id": wid,
                "payload": {"subject": subject_line, "text": text, "to": [], "data": data},
                **base,
            }
        )
    return rows


def _insert_rows(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Insert ``rows`` (attribute name -> value; the model's defaults fill the rest) in one statement;
    the number inserted. ``rows`` may be a generator: on PostgreSQL each row is sent as it is built, so the
    server inserts the first rows while the later ones are still being made."""
    if connection.vendor != "postgresql":
        return len(model.objects.bulk_create([model(**row) for row in rows]))
    return _copy(model, rows)


def _insert_rows_with_ids(model: Any, count: int, rows: Iterable[dict[str, Any]]) -> list[int]:
    """As ``_insert_rows`` for ``count`` rows, and their ids, in order (the escalations' ids name their
    notifications' idempotency keys): on PostgreSQL taken from the table's sequence first, in one statement."""
    if connection.vendor != "postgresql":
        return [obj.pk for obj in model.objects.bulk_create([model(**row) for row in rows])]  # RETURNING
    if not count:
        return []
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    _copy(model, rows, ids)
    return ids


def _copy(model: Any, rows: Iterable[dict[str, Any]], ids: Sequence[int] | None = None) -> int:
    """COPY ``rows`` into the model's table (with ``ids`` as their primary keys, if given). Django's
    bulk_create on PostgreSQL builds model instances and quotes every value client-side: seconds for
    10,000 rows of text and JSON. psycopg hands the rows to the server in 32 kB pieces as they come."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    qn = connection.ops.quote_name
    columns = ([meta.pk.column] if ids is not None else []) + [f.column for f in fields]
    # Callers pass plain values (str, int, bool, aware datetimes, JSON-native dicts and lists).
    pick = operator.itemgetter(*[f.attname for f in fields])
    json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    # orjson: this text is only parsed into jsonb (the timeline's hash input is its own canonical JSON).
    dumps = orjson.dumps
    written = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN") as copy,
    ):
        write = copy.write_row
        for row in rows:
            values = list(pick({**defaults, **row}))
            for i in json_columns:
                values[i] = dumps(values[i]).decode()
            if ids is not None:
                values.insert(0, ids[written])
            write(values)
            written += 1
        if ids is not None and written != len(ids):  # before the COPY ends: nothing is written
            raise ValueError(f"{len(ids)} ids taken for {written} {meta.verbose_name_plural}")
    return written


def _update_subjects(
    is_task: bool, updates: Sequence[tuple[int, int, dt.datetime | None, str | None]]
) -> None:
    """One UPDATE ... FROM (VALUES ...) per batch (bulk_update is slow at this scale: see PITFALLS)."""
    if not updates:
        return
    table = (RemediationTask if is_task else Obligation)._meta.db_table
    qn = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = []
    if connection.vendor == "postgresql":
        # Four array parameters rather than 4 x N placeholders: nothing for the driver to parse per row.
        params = [list(column) for column in zip(*updates, strict=True)]
        sql = (
            f"UPDATE {qn(table)} AS t SET escalation_level = v.level, next_escalation_at = v.next, "  # noqa: S608 (table name and placeholders)
            f"status = COALESCE(v.status, t.status) "
            f"FROM unnest(%s::bigint[], %s::smallint[], %s::timestamptz[], %s::varchar[]) AS v(id, level, next, status) "
            f"WHERE t.id = v.id"
        )
    else:
        values = ", ".join(["(%s, %s, %s, %s)"] * len(updates))
        for pk, level, nxt, status in updates:
            params += [pk, level, adapt(nxt), status]
        sql = (
            f"UPDATE {qn(table)} SET escalation_level = v.column2, next_escalation_at = v.column3, "  # noqa: S608 (table name and placeholders)
            f"status = COALESCE(v.column4, {qn(table)}.status) FROM (VALUES {values}) AS v "
            f"WHERE {qn(table)}.id = v.column1"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _record_run(result: SweepResult) -> None:
    finished = result.now + dt.timedelta(seconds=result.elapsed_s)
    SweepRun.objects.create(
        started_at=result.now,
        finished_at=finished,
        duration_ms=round(result.elapsed_s * 1000),
        stats=result.as_dict(),
    )
    keep = dt.timedelta(days=settings.DOCKET_SWEEP_HISTORY_DAYS)
    if result.batches or finished.minute == 0:  # prune now and then, not on every idle minute
        SweepRun.objects.filter(finished_at__lt=finished - keep).delete()


def last_sweep() -> tuple[dt.datetime, dict[str, Any]] | None:
    """(finished_at, stats) of the last completed sweep, or None if none has run."""
    row = SweepRun.objects.order_by("-finished_at").values_list("finished_at", "stats").first()
    return (row[0], row[1]) if row else None


def reschedule(*, now: dt.datetime, batch_size: int | None = None) -> int:
    """Recompute ``next_escalation_at`` of every open task and obligation from the current policies (after
    a policy was edited in the admin), continuing each subject's ladder after its last recorded step.
    Returns how many markers changed. Rows are locked per batch, so a sweep running meanwhile is safe."""
    require_aware(now, field="now")
    size = batch_size or settings.DOCKET_SWEEP_BATCH_SIZE
    ladders = load_ladders()
    changed = 0
    for is_task in (True, False):
        model: Any = RemediationTask if is_task else Obligation
        subject_field = "task_id" if is_task else "obligation_id"
        active = (
            model.objects.filter(status__in=ACTIVE_TASK_STATUSES, due_at__isnull=False)
            if is_task
            else model.objects.filter(status=ObligationStatus.OPEN)
        )
        after = 0
        while True:
            with transaction.atomic():
                fields = (
                    ["pk", "priority", "due_at", "escalation_level", "next_escalation_at"]
                    if is_task
                    else ["pk", "due_at", "escalation_level", "next_escalation_at"]
                )
                rows = list(
                    active.select_for_update(of=("self",))
                    .filter(pk__gt=after)
                    .order_by("pk")
                    .values_list(*fields)[:size]
                )
                if not rows:
                    break
                after = rows[-1][0]
                last = dict(
                    Escalation.objects.filter(
                        superseded_at__isnull=True, **{f"{subject_field}__in": [r[0] for r in rows]}
                    )
                    .values_list(subject_field)
                    .annotate(last=Max("scheduled_at"))
                    .values_list(subject_field, "last")
                )
                updates: list[tuple[int, int, dt.datetime | None, str | None]] = []
                for row in rows:
                    pk, priority, due, level, marker = row if is_task else (row[0], "", *row[1:])
                    ladder = ladders.get(
                        (EscalationSubject.TASK.value, priority)
                        if is_task
                        else (EscalationSubject.OBLIGATION.value, "")
                    )
                    nxt = next_firing_after(ladder, due, last.get(pk)) if ladder is not None else None
                    if (
                        not is_task
                        and (last.get(pk) is None or due > last[pk])
                        and (nxt is None or due < nxt)
                    ):
                        nxt = due
                    if nxt != marker:
                        updates.append((pk, level, nxt, None))
                _update_subjects(is_task, updates)
                changed += len(updates)
    return changed
