"""Ladders as plain data, and the arithmetic of their firings: pure functions, no database.

A step fires at ``due + offset`` and, with ``repeat_every``, again at that interval until the next step's
first instant. ``next_marker`` is the one rule for when the sweep must next look at a subject; the hooks
(a subject created or changed), the sweep (after a batch) and reschedule (after a policy changed) all call it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from ..overdue import is_overdue

# The clock's resolution: the first instant strictly after another.
TICK = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class Step:
    id: int
    level: int
    name: str
    offset: dt.timedelta
    repeat_every: dt.timedelta | None
    notify_assignee: bool
    user_ids: tuple[int, ...]
    group_ids: tuple[int, ...]
    webhook_ids: tuple[int, ...]
    top: int = 0  # the highest level of its ladder, for "level 2 of 3" (0: unknown)

    @property
    def reminder(self) -> bool:
        return self.level == 0


@dataclass(frozen=True)
class Ladder:
    policy_id: int
    name: str
    steps: tuple[Step, ...]  # ordered by offset, then level


@dataclass(frozen=True)
class Firing:
    step: Step
    repeat: int
    at: dt.datetime


def _step_window(ladder: Ladder, index: int, due: dt.datetime) -> tuple[dt.datetime, dt.datetime | None]:
    """A step's first instant and the instant its repetitions stop (the next step's), if any."""
    step = ladder.steps[index]
    start = due + step.offset
    for later in ladder.steps[index + 1 :]:
        if later.offset > step.offset:
            return start, due + later.offset
    return start, None


def next_firing_after(ladder: Ladder, due: dt.datetime, after: dt.datetime | None) -> dt.datetime | None:
    """The first firing instant strictly after ``after`` (or the very first one when ``after`` is None)."""
    best: dt.datetime | None = None
    for index, step in enumerate(ladder.steps):
        start, stop = _step_window(ladder, index, due)
        candidate: dt.datetime | None
        if after is None or start > after:
            candidate = start
        elif step.repeat_every:
            k = math.floor((after - start) / step.repeat_every) + 1
            candidate = start + k * step.repeat_every
            if stop is not None and candidate >= stop:
                candidate = None
        else:
            candidate = None
        if candidate is not None and (best is None or candidate < best):
            best = candidate
    return best


def firings_between(ladder: Ladder, due: dt.datetime, start: dt.datetime, end: dt.datetime) -> list[Firing]:
    """The firings with ``start <= at <= end``, one per step (a step's repetitions collapse to the latest
    in the window), in firing order."""
    found: list[Firing] = []
    for index, step in enumerate(ladder.steps):
        first, stop = _step_window(ladder, index, due)
        if first > end:
            continue
        k = 0
        if step.repeat_every:
            last_allowed = end if stop is None else min(end, stop - TICK)
            k = max(0, math.floor((last_allowed - first) / step.repeat_every))
        at = first + k * (step.repeat_every or dt.timedelta(0))
        if at >= start:
            found.append(Firing(step, k, at))
    found.sort(key=lambda f: (f.at, f.step.level))
    return found


def missed_at(due: dt.datetime, after: dt.datetime | None) -> dt.datetime:
    """The first instant after ``after`` at which an open obligation due at ``due`` is missed: its due
    instant while that is still ahead, else the next tick (``overdue.is_overdue``: missed only after
    the due instant itself)."""
    if after is None or due > after:
        return due
    return after + TICK


def next_marker(
    ladder: Ladder | None, due: dt.datetime, after: dt.datetime | None, *, can_be_missed: bool
) -> dt.datetime | None:
    """When the sweep must next look at a subject due at ``due`` whose firings up to ``after`` are handled
    (``None``: none yet): the ladder's next firing strictly after ``after`` and, for a subject that can be
    missed (an obligation), the instant it becomes missed, whichever comes first. ``None``: never again."""
    candidates = []
    if ladder is not None:
        nxt = next_firing_after(ladder, due, after)
        if nxt is not None:
            candidates.append(nxt)
    if can_be_missed:
        candidates.append(missed_at(due, after))
    return min(candidates) if candidates else None


def is_missed(due: dt.datetime, now: dt.datetime) -> bool:
    """Whether an open obligation due at ``due`` is missed at ``now`` (the one overdue rule)."""
    return is_overdue(due, now)


@dataclass(frozen=True)
class Plan:
    """What one sweep does for one subject: the firings it records (the last one notified), the reminders it
    skips (their instant came before the subject existed), its new level and marker, and whether it is
    missed now."""

    firings: tuple[Firing, ...]
    skipped: tuple[Firing, ...]
    level: int
    marker: dt.datetime | None
    missed: bool


def plan(
    ladder: Ladder | None,
    *,
    due: dt.datetime,
    level: int,
    marker: dt.datetime,
    now: dt.datetime,
    can_be_missed: bool,
    existed_from: dt.datetime,
    fired: frozenset[tuple[int, int]] = frozenset(),
) -> Plan:
    """The sweep's decision for one subject at ``now``: every firing in ``[marker, now]`` not yet ``fired``
    ((level, repeat) pairs already recorded), reminders before ``existed_from`` skipped; catch-up notifies
    only the last (highest) firing. A subject missed now gets no further marker."""
    firings: list[Firing] = []
    skipped: list[Firing] = []
    if ladder is not None:
        for f in firings_between(ladder, due, marker, now):
            if (f.step.level, f.repeat) in fired:
                continue
            (skipped if f.step.reminder and f.at < existed_from else firings).append(f)
    missed = can_be_missed and is_missed(due, now)
    new_marker = None if missed else next_marker(ladder, due, now, can_be_missed=can_be_missed)
    new_level = max([level, *(f.step.level for f in firings)])
    return Plan(tuple(firings), tuple(skipped), new_level, new_marker, missed)
