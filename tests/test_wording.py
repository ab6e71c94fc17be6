"""Escalation levels and repeats in words."""

from __future__ import annotations

import pytest

from directives.wording import escalation_words, level_words, ordinal, step_words


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (34, "34th"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
    ],
)
def test_ordinal(n: int, text: str) -> None:
    assert ordinal(n) == text


def test_the_sentence_of_a_step() -> None:
    assert (
        escalation_words(level=3, top=3, name="Level 3: 4 hours overdue (executive)", repeat=34)
        == "Level 3 of 3: 4 hours overdue (executive), 34th repeat"
    )
    assert (
        escalation_words(level=1, top=3, name="Level 1: overdue (assignee)")
        == "Level 1 of 3: overdue (assignee)"
    )
    assert escalation_words(level=2, name="legal") == "Level 2: legal"
    assert (
        escalation_words(level=0, top=3, name="Reminder: due in 1 hour", repeat=2) == "Reminder, 2nd repeat"
    )


def test_levels_and_names() -> None:
    assert level_words(2, 3) == "level 2 of 3"
    assert level_words(4, 3) == "level 4"  # a ladder shortened since: never "4 of 3"
    assert level_words(0, 3) == "reminder"
    assert step_words("level 2 - 1 hour overdue (legal)") == "1 hour overdue (legal)"
    assert step_words("Executive review") == "Executive review"
