"""Recompute every open subject's marker from the current policies (after a policy was edited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from ..choices import ObligationStatus
from ..deadlines import require_aware
from ..models import Escalation, EscalationSubject, Obligation, RemediationTask
from .ladder import next_marker
from .policies import ACTIVE_TASK_STATUSES, Ladders, ladder_for, load_ladders
from .subjects import SubjectUpdate, update_subjects


def reschedule(*, now: dt.datetime, batch_size: int | None = None) -> int:
    """Recompute ``next_escalation_at`` of every open task and obligation from the current policies,
    continuing each subject's ladder after its last recorded step (``ladder.next_marker``). Returns how many
    markers changed. Rows are locked per batch, so a sweep running meanwhile is safe."""
    require_aware(now, field="now")
    size = batch_size or settings.DOCKET_SWEEP_BATCH_SIZE
    ladders = load_ladders()
    return sum(_reschedule_kind(is_task, size, ladders) for is_task in (True, False))


def _reschedule_kind(is_task: bool, size: int, ladders: Ladders) -> int:
    model: Any = RemediationTask if is_task else Obligation
    active = (
        model.objects.filter(status__in=ACTIVE_TASK_STATUSES, due_at__isnull=False)
        if is_task
        else model.objects.filter(status=ObligationStatus.OPEN)
    )
    fields = ["pk", "due_at", "escalation_level", "next_escalation_at", *(["priority"] if is_task else [])]
    changed, after = 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                active.select_for_update(of=("self",))
                .filter(pk__gt=after)
                .order_by("pk")
                .values_list(*fields)[:size]
            )
            if not rows:
                return changed
            after = rows[-1][0]
            last = _last_fired(is_task, [r[0] for r in rows])
            updates = []
            for pk, due, level, marker, *priority in rows:
                kind = EscalationSubject.TASK if is_task else EscalationSubject.OBLIGATION
                ladder = ladder_for(kind, priority[0] if priority else "", ladders)
                nxt = next_marker(ladder, due, last.get(pk), can_be_missed=not is_task)
                if nxt != marker:
                    updates.append(SubjectUpdate(pk, level, nxt, None))
            update_subjects(is_task, updates)
            changed += len(updates)


def _last_fired(is_task: bool, pks: list[int]) -> dict[int, dt.datetime]:
    subject_field = "task_id" if is_task else "obligation_id"
    return dict(
        Escalation.objects.filter(superseded_at__isnull=True, **{f"{subject_field}__in": pks})
        .values_list(subject_field)
        .annotate(last=Max("scheduled_at"))
        .values_list(subject_field, "last")
    )
