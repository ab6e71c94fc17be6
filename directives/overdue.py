"""When a deadline has passed: the one definition of "overdue" (a task) and "missed" (an obligation).

A deadline "by 17:21" is met by anything done at 17:21:00; it has passed only after that instant. So an
open item is overdue, or its obligation missed, when ``due_at < now``: never at the due instant itself.
Every page, selector, export and the escalation sweep use these two forms of the same rule: the Python one
for a row in hand, the ``Q`` twin for the database.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q


def is_overdue(due_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a deadline at ``due_at`` has passed at ``now`` (``None``: no deadline, never overdue)."""
    return due_at is not None and due_at < now


def overdue_q(now: dt.datetime, field: str = "due_at") -> Q:
    """The database twin of ``is_overdue`` on ``field`` (rows without a deadline never match)."""
    return Q(**{f"{field}__lt": now})


def not_yet_due_q(now: dt.datetime, field: str = "due_at") -> Q:
    """Rows whose deadline has not passed at ``now`` (the due instant itself included)."""
    return Q(**{f"{field}__gte": now})
