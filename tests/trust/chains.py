"""Directives with a few entries on their chains, for the record-integrity tests."""

from __future__ import annotations

from typing import Any

from directives.choices import EntryKind
from directives.models import Directive
from directives.services.directives import record_action

from ..factories import make_directive


def comment_chains(*, actor: Any, now: Any, comments: int, count: int = 2) -> list[Directive]:
    """``count`` directives, each with its receipt and ``comments`` recorded comments."""
    directives = [make_directive(actor=actor, reference=f"BIS-{i}") for i in range(count)]
    for directive in directives:
        for i in range(comments):
            record_action(
                directive=directive,
                kind=EntryKind.COMMENT,
                summary=f"note {i}",
                occurred_at=now,
                actor=actor,
                now=now,
            )
    return directives
