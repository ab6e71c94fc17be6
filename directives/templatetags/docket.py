"""Template filters for instants and spans of time: thin wrappers over ``directives/instants.py``.

    {{ entry.occurred_at|legal:authority }}      -> Fri 27 Nov 2026, 17:21 EST · 22:21 UTC
    {{ entry.recorded_at|legal_seconds:authority }} -> Fri 27 Nov 2026, 17:40:12 EST · 22:40:12 UTC
    {{ task.due_at|work:viewer_zone }}           -> Fri 27 Nov 2026, 17:21 EST
    {{ task.due_at|machine }}                    -> 2026-11-27T22:21:00Z   (for <time datetime>)
    {{ task.due_at|relative:now }}               -> 2 h overdue / due in 3 d
    {{ delta|duration }}                         -> 2 h 5 min

``legal_time``, ``utc`` and ``utc_seconds`` give the ISO 8601 readings, for places that show the exact
stored value to a reader who asked for it (the chain check). Every filter renders through ``astimezone``
(never Django's ``date`` filter, which drops the zone in the DST fall-back hour) and none raises on what
is stored.
"""

from __future__ import annotations

from typing import Any

from django import template

from .. import instants, wording
from ..selectors import ladders

register = template.Library()


@register.filter
def legal(value: object, zone: object = None) -> str:
    return instants.legal(value, zone)


@register.filter
def legal_seconds(value: object, zone: object = None) -> str:
    return instants.legal(value, zone, seconds=True)


@register.filter
def work(value: object, zone: object = None) -> str:
    return instants.work(value, zone)


@register.filter
def day(value: object, zone: object = None) -> str:
    return instants.day(value, zone)


@register.filter
def calendar_day(value: object) -> str:
    return instants.calendar_day(value)


@register.filter
def machine(value: object, zone: object = None) -> str:
    return instants.machine(value, zone)


@register.filter
def duration(value: object) -> str:
    return instants.duration(value)


@register.filter
def relative(value: object, now: object = None) -> str:
    return instants.relative(value, now)


@register.filter
def is_overdue(value: object, now: object = None) -> bool:
    return instants.is_past_due(value, now)


@register.filter
def zone_abbr(zone: object, at: object = None) -> str:
    return instants.zone_abbr(zone, at)


@register.filter
def legal_time(value: object, zone: object = None) -> str:
    """``value`` in ``zone`` as ISO 8601 to the minute with the zone's abbreviation:
    ``2026-11-01T01:30-05:00 EST``."""
    return instants.iso_local(value, zone)


@register.filter
def utc(value: object) -> str:
    """``value`` in UTC to the minute: ``2026-11-27T22:21Z``."""
    return instants.iso_utc(value)


@register.filter
def utc_seconds(value: object) -> str:
    """``value`` in UTC to the second: ``2026-11-27T22:21:05Z``."""
    return instants.iso_utc(value, seconds=True)


@register.simple_tag(takes_context=True)
def work_when(context: template.Context, value: object, other_zone: object = None) -> str:
    """A work instant (a task's due date, when it was resolved) in the reader's zone (``viewer_zone`` from
    the context), with ``other_zone`` (the authority's) beside it where it reads differently."""
    return instants.work(value, context.get("viewer_zone"), other_zone)


@register.simple_tag(takes_context=True)
def task_level(context: template.Context, task: Any) -> str:
    """A task's escalation level in words, ``level 2 of 3``, the top from the page's ``ladder_tops``."""
    tops = context.get("ladder_tops")
    top = tops.get(("task", str(task.priority))) if tops else None
    return wording.level_words(int(task.escalation_level or 0), top)


@register.simple_tag
def task_escalation(task: Any) -> str:
    """The sentence for the step a task reached: ``Level 3 of 3: 4 hours overdue (executive), 34th
    repeat`` (one query, for the task's own page)."""
    return ladders.task_escalation_words(task_id=task.pk, level=int(task.escalation_level or 0))
