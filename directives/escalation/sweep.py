"""The sweep: claim the due subjects, plan their firings, write the batch.

Due rows are claimed in batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's IMMEDIATE transaction
serialises writers) and each batch is written in one transaction and a constant number of statements: the
escalation rows, the outbox rows, the subjects' new level, marker and version (one ``UPDATE`` from arrays),
and last their timeline entries (``timeline.append_entries``, which locks the chains just before, so the
lock is held only for the chain write and the commit). The partial unique constraints on ``Escalation`` make
a duplicate impossible, whatever runs at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import OperationalError, connection, transaction

from .. import states
from ..bulk import insert_rows, insert_rows_with_ids
from ..choices import ObligationStatus
from ..deadlines import require_aware
from ..models import (
    Directive,
    Escalation,
    EscalationSubject,
    Notification,
    Obligation,
    RemediationTask,
    SweepRun,
    WebhookEndpoint,
    WebhookEvent,
)
from ..services.timeline import append_entries
from . import messages
from .ladder import Ladder, plan
from .messages import DirectiveInfo, Planned, Recipients, Subject
from .policies import ACTIVE_TASK_STATUSES, Ladders, ladder_for, load_ladders
from .subjects import SubjectUpdate, update_subjects

log = logging.getLogger("docket.escalation")


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
    skipped: int = 0  # reminders not sent: their instant came before their subject existed
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
            "skipped": self.skipped,
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
            f"without notifying, {self.skipped} skipped), {self.obligations_missed} obligation(s) missed, "
            f"{self.notifications} notification(s) queued, {self.batches} batch(es) in "
            f"{self.elapsed_s * 1000:.1f} ms"
        )


def _load_recipients(ladders: Iterable[Ladder]) -> Recipients:
    group_ids = {g for ladder in ladders for s in ladder.steps for g in s.group_ids}
    user_ids = {u for ladder in ladders for s in ladder.steps for u in s.user_ids}
    groups: dict[int, tuple[str, list[str]]] = {}
    if group_ids:
        names = dict(Group.objects.filter(pk__in=group_ids).values_list("pk", "name"))
        members: dict[int, list[str]] = defaultdict(list)
        for gid, email in (
            get_user_model()
            .objects.filter(groups__in=group_ids, is_active=True)
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
    recipients = Recipients(groups=groups, users={}, webhooks=webhooks, subscribed=subscribed)
    _load_users(recipients, user_ids)
    return recipients


def _load_users(recipients: Recipients, user_ids: Iterable[int | None]) -> None:
    missing = {u for u in user_ids if u is not None and u not in recipients.users}
    if missing:
        for pk, username, email, active in (
            get_user_model()
            .objects.filter(pk__any=missing)
            .values_list("pk", "username", "email", "is_active")
        ):
            recipients.users[pk] = (username, email if active else "")


def sweep(*, now: dt.datetime, batch_size: int | None = None) -> SweepResult:
    """Escalate every task and obligation whose ``next_escalation_at`` has come; see the package docstring.
    Safe to run twice and to run concurrently: claimed rows are locked, and the database refuses a
    duplicate escalation or notification."""
    require_aware(now, field="now")
    started = time.perf_counter()
    size = batch_size or settings.DOCKET_SWEEP_BATCH_SIZE
    result = SweepResult(now=now)
    ladders: Ladders | None = None
    recipients: Recipients | None = None
    for kind in (EscalationSubject.TASK, EscalationSubject.OBLIGATION):
        if not _due_queryset(kind, now).exists():  # the common case: one indexed probe, nothing loaded
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
    *, kind: str, now: dt.datetime, size: int, ladders: Ladders, recipients: Recipients, result: SweepResult
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


_CLAIMED = (
    "pk",
    "directive_id",
    "title",
    "due_at",
    "escalation_level",
    "next_escalation_at",
    "status",
    "created_at",
)


def _claim(kind: str, now: dt.datetime, size: int) -> list[tuple[Any, ...]]:
    """The due rows of ``kind``, locked, oldest marker first: ``_CLAIMED`` then priority and assignee."""
    qs = (
        _due_queryset(kind, now)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("next_escalation_at")
    )
    if kind == EscalationSubject.TASK:
        return list(qs.values_list(*_CLAIMED, "priority", "assignee_id")[:size])
    return [(*row, "", None) for row in qs.values_list(*_CLAIMED)[:size]]


def _directives(rows: list[tuple[Any, ...]]) -> dict[int, tuple[DirectiveInfo, dt.datetime]]:
    """Each claimed row's directive: its reference and zone (for the texts) and its receipt."""
    ids = sorted({row[1] for row in rows})
    return {
        pk: (DirectiveInfo(reference, tz), received_at)
        for pk, reference, tz, received_at in Directive.objects.filter(pk__any=ids).values_list(
            "pk", "reference", "authority__time_zone", "received_at"
        )
    }


def _subject(kind: str, row: tuple[Any, ...], received_at: dt.datetime, now: dt.datetime) -> Subject:
    pk, directive_id, title, due_at, level, marker, status, created_at, priority, assignee_id = row
    # A row dated after the sweep's instant (another machine's clock) is taken to exist from its receipt.
    existed_from = max(received_at, created_at) if created_at <= now else received_at
    return Subject(
        kind == EscalationSubject.TASK,
        pk,
        directive_id,
        title,
        priority,
        due_at,
        level,
        marker,
        assignee_id,
        status,
        existed_from,
    )


@dataclass
class _BatchPlan:
    planned: list[Planned] = field(default_factory=list)
    skipped: list[Planned] = field(default_factory=list)
    updates: list[SubjectUpdate] = field(default_factory=list)
    missed: list[Subject] = field(default_factory=list)
    skipped_by_subject: dict[int, tuple[Any, ...]] = field(default_factory=dict)


def _plan_batch(
    subjects: list[Subject],
    kind: str,
    now: dt.datetime,
    ladders: Ladders,
    existing: set[tuple[int, int, int]],
) -> _BatchPlan:
    """Which steps fire for whom, which reminders are skipped, and each subject's new level and marker."""
    out = _BatchPlan()
    fired_by_subject: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for pk, level, repeat in existing:
        fired_by_subject[pk].add((level, repeat))
    for s in subjects:
        fired = frozenset(fired_by_subject.get(s.pk, ()))
        decided = plan(
            ladder_for(kind, s.priority, ladders),
            due=s.due_at,
            level=s.level,
            marker=s.marker,
            now=now,
            can_be_missed=not s.is_task,
            existed_from=s.existed_from,
            fired=fired,
        )
        level = s.level
        for i, firing in enumerate(decided.firings):
            out.planned.append(Planned(s, firing, notify=i == len(decided.firings) - 1, from_level=level))
            level = max(level, firing.step.level)
        for firing in decided.skipped:
            out.skipped.append(Planned(s, firing, notify=False, from_level=s.level))
        if decided.skipped:
            out.skipped_by_subject[s.pk] = decided.skipped
        new_status = None
        if decided.missed:
            states.check(states.OBLIGATION_TRANSITIONS, s.status, ObligationStatus.MISSED, what="obligation")
            new_status = ObligationStatus.MISSED.value
            out.missed.append(s)
        out.updates.append(SubjectUpdate(s.pk, decided.level, decided.marker, new_status))
    return out


def _batch(
    *, kind: str, now: dt.datetime, size: int, ladders: Ladders, recipients: Recipients, result: SweepResult
) -> int:
    rows = _claim(kind, now, size)
    if not rows:
        return 0
    directives = _directives(rows)
    subjects = [_subject(kind, row, directives[row[1]][1], now) for row in rows]
    subject_field = "task_id" if kind == EscalationSubject.TASK else "obligation_id"
    existing = set(
        Escalation.objects.filter(
            superseded_at__isnull=True, **{f"{subject_field}__any": [s.pk for s in subjects]}
        ).values_list(subject_field, "level", "repeat")
    )
    decided = _plan_batch(subjects, kind, now, ladders, existing)
    info = {pk: d for pk, (d, _) in directives.items()}
    if connection.vendor == "postgresql":
        # Foreign keys are checked as each statement ends, not all at commit, while no chain is locked yet.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    notifications = _write_escalations(decided, now, info, recipients)
    update_subjects(kind == EscalationSubject.TASK, decided.updates)
    append_entries(_entries(decided, now, info), now=now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default for the transaction
    _count(result, kind, subjects, decided, notifications)
    return len(subjects)


def _write_escalations(
    decided: _BatchPlan, now: dt.datetime, info: dict[int, DirectiveInfo], recipients: Recipients
) -> int:
    """The escalation rows (skipped reminders too, so that they are never planned again) and the outbox rows
    of each subject's notified firing; the number of notifications."""
    every = [*decided.planned, *decided.skipped]
    escalation_ids = insert_rows_with_ids(
        Escalation,
        len(every),
        (
            {
                "task_id": p.subject.pk if p.subject.is_task else None,
                "obligation_id": None if p.subject.is_task else p.subject.pk,
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
            for p in every
        ),
    )
    notified = [(p, e) for p, e in zip(every, escalation_ids, strict=True) if p.notify]
    _load_users(recipients, [p.subject.assignee_id for p, _ in notified if p.firing.step.notify_assignee])
    return insert_rows(  # built as they are sent
        Notification,
        (
            row
            for p, escalation_id in notified
            for row in messages.notification_rows(
                p, escalation_id, now, info[p.subject.directive_id], recipients
            )
        ),
    )


def _entries(
    decided: _BatchPlan, now: dt.datetime, info: dict[int, DirectiveInfo]
) -> dict[int, list[dict[str, Any]]]:
    """The batch's timeline entries per directive, in order: for each subject its skipped reminders (said
    once), its firings, and where it became missed, that entry before the first firing at or after due."""
    per_directive: dict[int, list[dict[str, Any]]] = defaultdict(list)
    missed = {s.pk: s for s in decided.missed}
    said: set[int] = set()
    for p in decided.skipped:
        s = p.subject
        if s.pk not in said:
            said.add(s.pk)
            per_directive[s.directive_id].append(
                messages.skipped_entry(s, decided.skipped_by_subject[s.pk], now, info[s.directive_id])
            )
    for p in decided.planned:
        s = p.subject
        if s.pk in missed and p.firing.at >= s.due_at:
            per_directive[s.directive_id].append(
                messages.missed_entry(missed.pop(s.pk), now, info[s.directive_id])
            )
        per_directive[s.directive_id].append(messages.escalation_entry(p, now, info[s.directive_id]))
    for s in missed.values():
        per_directive[s.directive_id].append(messages.missed_entry(s, now, info[s.directive_id]))
    return per_directive


def _count(
    result: SweepResult, kind: str, subjects: list[Subject], decided: _BatchPlan, notifications: int
) -> None:
    result.batches += 1
    if kind == EscalationSubject.TASK:
        result.tasks += len(subjects)
    else:
        result.obligations += len(subjects)
    result.escalations += len(decided.planned)
    result.reminders += sum(1 for p in decided.planned if p.firing.step.reminder)
    result.caught_up += sum(1 for p in decided.planned if not p.notify)
    result.skipped += len(decided.skipped)
    result.obligations_missed += len(decided.missed)
    result.notifications += notifications
    for p in decided.planned:
        key = f"{kind}:{p.firing.step.level}"
        result.by_level[key] = result.by_level.get(key, 0) + 1


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
