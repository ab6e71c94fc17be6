"""Every allowed and every refused move of every state table (pure Python, no database)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from directives import states
from directives.choices import DirectiveStatus, ObligationStatus, TaskStatus
from directives.errors import InvalidTransition

TABLES: list[tuple[str, Any, Any]] = [
    ("directive", states.DIRECTIVE_TRANSITIONS, DirectiveStatus),
    ("task", states.TASK_TRANSITIONS, TaskStatus),
    ("obligation", states.OBLIGATION_TRANSITIONS, ObligationStatus),
]
CASES = [
    pytest.param(what, table, a, b, b in table[a], id=f"{what}:{a.value}->{b.value}")
    for what, table, enum in TABLES
    for a, b in itertools.product(list(enum), list(enum))
]


def test_every_status_has_a_row() -> None:
    for _, table, enum in TABLES:
        assert set(table) == set(enum)


@pytest.mark.parametrize(("what", "table", "current", "target", "ok"), CASES)
def test_transition(what, table, current, target, ok) -> None:
    if ok:
        states.check(table, current, target, what=what)
    else:
        with pytest.raises(InvalidTransition) as err:
            states.check(table, current, target, what=what)
        assert f"cannot move from {current.label} to {target.label}" in str(err.value)
        assert err.value.status_code == 409


def test_the_story_path_is_allowed() -> None:
    path = [
        DirectiveStatus.RECEIVED,
        DirectiveStatus.IN_EFFECT,
        DirectiveStatus.IN_REMEDIATION,
        DirectiveStatus.COMPLIANT,
        DirectiveStatus.LIFTED,
        DirectiveStatus.CLOSED,
    ]
    for a, b in itertools.pairwise(path):
        states.check(states.DIRECTIVE_TRANSITIONS, a, b, what="directive")


def test_closed_is_final_and_says_so() -> None:
    with pytest.raises(InvalidTransition, match="none \\(final\\)"):
        states.check(
            states.DIRECTIVE_TRANSITIONS, DirectiveStatus.CLOSED, DirectiveStatus.IN_EFFECT, what="directive"
        )
