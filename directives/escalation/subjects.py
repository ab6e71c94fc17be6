"""Writing the sweep's and reschedule's decisions back to the task and obligation rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from ..bulk import update_rows
from ..models import Obligation, RemediationTask


class SubjectUpdate(NamedTuple):
    pk: int
    level: int
    marker: dt.datetime | None
    status: str | None  # None: unchanged


def update_subjects(is_task: bool, updates: Sequence[SubjectUpdate]) -> int:
    """Each subject's new level, marker and (where given) status in one statement, its ``version`` bumped so
    that a form opened before is told the record changed."""
    return update_rows(
        RemediationTask if is_task else Obligation,
        [("level", "smallint"), ("next", "timestamptz"), ("status", "varchar")],
        updates,
        {
            "escalation_level": "v.level",
            "next_escalation_at": "v.next",
            "status": "COALESCE(v.status, t.status)",
            "version": "t.version + 1",
        },
    )
