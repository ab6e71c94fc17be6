"""The active escalation policies read into ladders, and what a subject has already fired."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max

from ..choices import TaskStatus
from ..models import Escalation, EscalationPolicy, EscalationSubject
from ..states import TASK_ACTIVE
from .ladder import Ladder, Step

Ladders = dict[tuple[str, str], Ladder]

# The task statuses that escalate, in the partial index's own order (its condition is matched literally).
ACTIVE_TASK_STATUSES = [s.value for s in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)]
if frozenset(ACTIVE_TASK_STATUSES) != frozenset(TASK_ACTIVE):  # pragma: no cover
    raise RuntimeError("the escalating task statuses must match the partial index task_escalation_due")


def load_ladders() -> Ladders:
    """Every active policy, keyed by (applies_to, priority); a handful of queries, once per sweep."""
    ladders: Ladders = {}
    policies = EscalationPolicy.objects.filter(active=True).prefetch_related(
        "steps", "steps__notify_users", "steps__notify_groups", "steps__notify_webhooks"
    )
    for policy in policies:
        top = max((s.level for s in policy.steps.all()), default=0)
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
                        top=top,
                    )
                    for s in policy.steps.all()
                ),
                key=lambda s: (s.offset, s.level),
            )
        )
        if steps:
            ladders[(policy.applies_to, policy.priority)] = Ladder(policy.pk, policy.name, steps)
    return ladders


def ladder_for(kind: str, priority: str, ladders: Ladders | None = None) -> Ladder | None:
    """The ladder of a task of ``priority`` (``kind`` TASK) or of an obligation (any priority)."""
    ladders = ladders if ladders is not None else load_ladders()
    if kind == EscalationSubject.TASK:
        return ladders.get((EscalationSubject.TASK.value, str(priority)))
    return ladders.get((EscalationSubject.OBLIGATION.value, ""))


def last_fired_at(**subject: Any) -> dt.datetime | None:
    """The instant of the last step recorded on the subject's current ladder."""
    value: dt.datetime | None = Escalation.objects.filter(superseded_at__isnull=True, **subject).aggregate(
        last=Max("scheduled_at")
    )["last"]
    return value
