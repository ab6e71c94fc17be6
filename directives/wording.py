"""Words instead of codes: an escalation's level and repeat as a sentence a person understands.

Pure functions of plain values, shared by the pages, the e-mails and the timeline's summaries:
``Level 3 of 3: 4 hours overdue (executive), 34th repeat``.
"""

from __future__ import annotations

import re

_LEVEL_PREFIX = re.compile(r"^\s*level\s+\d+\s*[:.\-\u2013\u2014]\s*", re.IGNORECASE)


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``12th``, ``13th``, ``21st``, ``34th``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def step_words(name: str) -> str:
    """A step's name without the "Level N:" it often starts with (the level is said separately)."""
    return _LEVEL_PREFIX.sub("", name or "").strip()


def level_words(level: int, top: int | None = None) -> str:
    """``level 2 of 3``; ``level 2`` when the ladder's top is unknown; ``reminder`` for level 0."""
    if level <= 0:
        return "reminder"
    if top is not None and top >= level:
        return f"level {level} of {top}"
    return f"level {level}"


def escalation_words(*, level: int, top: int | None = None, name: str = "", repeat: int = 0) -> str:
    """The sentence for one escalation step: ``Level 3 of 3: 4 hours overdue (executive), 34th repeat``;
    ``Reminder, 2nd repeat`` for level 0 (the reminder before due)."""
    words = level_words(level, top)
    text = words[0].upper() + words[1:]
    what = step_words(name)
    if what and level > 0:
        text = f"{text}: {what}"
    if repeat > 0:
        text = f"{text}, {ordinal(repeat)} repeat"
    return text
