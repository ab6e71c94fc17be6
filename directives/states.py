"""Allowed status moves, as data. Pure Python: no database, tested in milliseconds."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

from .choices import DirectiveStatus as D
from .choices import ObligationStatus as O
from .choices import TaskStatus as T
from .errors import InvalidTransition

DIRECTIVE_TRANSITIONS: Mapping[D, frozenset[D]] = {
    D.RECEIVED: frozenset({D.UNDER_REVIEW, D.IN_EFFECT, D.WITHDRAWN}),
    D.UNDER_REVIEW: frozenset({D.IN_EFFECT, D.WITHDRAWN, D.CLOSED}),
    D.IN_EFFECT: frozenset({D.IN_REMEDIATION, D.COMPLIANT, D.LIFTED, D.WITHDRAWN, D.CLOSED}),
    D.IN_REMEDIATION: frozenset({D.IN_EFFECT, D.COMPLIANT, D.LIFTED, D.WITHDRAWN}),
    D.COMPLIANT: frozenset({D.IN_REMEDIATION, D.LIFTED, D.CLOSED}),
    D.LIFTED: frozenset({D.CLOSED}),
    D.WITHDRAWN: frozenset({D.CLOSED}),
    D.CLOSED: frozenset(),
}

# Resolve and verify have their own services (they need a resolution, a second person);
# this table still lists them so that every move is in one place.
TASK_TRANSITIONS: Mapping[T, frozenset[T]] = {
    T.OPEN: frozenset({T.IN_PROGRESS, T.BLOCKED, T.RESOLVED}),
    T.IN_PROGRESS: frozenset({T.OPEN, T.BLOCKED, T.RESOLVED}),
    T.BLOCKED: frozenset({T.OPEN, T.IN_PROGRESS}),
    T.RESOLVED: frozenset({T.VERIFIED, T.OPEN}),  # open again = reopen
    T.VERIFIED: frozenset({T.OPEN}),
}
TASK_ACTIVE: frozenset[T] = frozenset({T.OPEN, T.IN_PROGRESS, T.BLOCKED})
# Moves that need their own service rather than a bare status change.
TASK_GUARDED_TARGETS: frozenset[T] = frozenset({T.RESOLVED, T.VERIFIED})

OBLIGATION_TRANSITIONS: Mapping[O, frozenset[O]] = {
    O.OPEN: frozenset({O.MET, O.MISSED, O.WAIVED}),
    O.MISSED: frozenset({O.MET, O.WAIVED}),  # met late stays on record as missed first
    O.MET: frozenset(),
    O.WAIVED: frozenset(),
}

DIRECTIVE_ACTIVE: frozenset[D] = frozenset({D.RECEIVED, D.UNDER_REVIEW, D.IN_EFFECT, D.IN_REMEDIATION})

S = TypeVar("S", bound=Enum)


def allowed(table: Mapping[S, frozenset[S]], current: S | str) -> frozenset[S]:
    for state, targets in table.items():
        if state == current:
            return targets
    return frozenset()


def check(table: Mapping[S, frozenset[S]], current: S | str, target: S | str, *, what: str) -> None:
    """Raise ``InvalidTransition`` unless ``current -> target`` is in ``table``."""
    targets = allowed(table, current)
    if target not in targets:
        names = ", ".join(sorted(str(getattr(t, "label", t)) for t in targets)) or "none (final)"
        current_label = _label(table, current)
        target_label = _label(table, target)
        raise InvalidTransition(
            f"A {what} cannot move from {current_label} to {target_label}. Allowed from {current_label}: {names}.",
            current=str(current),
            target=str(target),
        )


def _label(table: Mapping[S, frozenset[S]], value: S | str) -> str:
    for state in table:
        if state == value:
            return str(getattr(state, "label", state))
    return str(value)
