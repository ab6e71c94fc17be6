"""Reads for a person's calendar feed: the deadlines they should see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..choices import ObligationStatus
from ..models import CalendarFeedToken, Obligation, RemediationTask
from ..models.calendar import hash_feed_token
from ..permissions import Action, can
from ..states import DIRECTIVE_ACTIVE, TASK_ACTIVE


@dataclass(frozen=True)
class Deadlines:
    obligations: list[Obligation]  # open or missed, of directives still active
    tasks: list[RemediationTask]  # the person's own active tasks that have a due instant


def deadlines_of(user: Any) -> Deadlines:
    """The deadlines ``user``'s calendar shows, soonest first, with each one's directive and authority.
    Two queries; no obligation for a user who may not see directives."""
    obligations: list[Obligation] = []
    if can(user, Action.VIEW):
        obligations = list(
            Obligation.objects.filter(
                status__in=[ObligationStatus.OPEN, ObligationStatus.MISSED],
                directive__status__in=[s.value for s in DIRECTIVE_ACTIVE],
            )
            .select_related("directive", "directive__authority")
            .order_by("due_at", "pk")
        )
    tasks = list(
        RemediationTask.objects.filter(
            assignee=user, status__in=[s.value for s in TASK_ACTIVE], due_at__isnull=False
        )
        .select_related("directive", "directive__authority")
        .order_by("due_at", "pk")
    )
    return Deadlines(obligations=obligations, tasks=tasks)


def feed_of(token: str) -> CalendarFeedToken | None:
    """The feed whose URL holds ``token``, with its user (whether the user is active is the caller's)."""
    return CalendarFeedToken.objects.select_related("user").filter(token_hash=hash_feed_token(token)).first()
