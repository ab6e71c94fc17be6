"""Escalation scheduling hooks called by the task and obligation services.

(Owned by the escalation engine; this first version schedules the first check at the due instant.)
"""

from __future__ import annotations

import datetime as dt

from ..choices import ObligationStatus
from ..models import Obligation, RemediationTask
from ..states import TASK_ACTIVE


def next_escalation_for_task(task: RemediationTask, *, now: dt.datetime) -> dt.datetime | None:
    if task.status not in TASK_ACTIVE or task.due_at is None:
        return None
    return task.due_at


def next_escalation_for_obligation(obligation: Obligation, *, now: dt.datetime) -> dt.datetime | None:
    if obligation.status != ObligationStatus.OPEN:
        return None
    return obligation.due_at
