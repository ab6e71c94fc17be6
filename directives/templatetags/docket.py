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

import datetime as dt

from django import template

from .. import instants
from ..overdue import is_overdue as _is_overdue

register = template.Library()


def _aware(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime) and value.tzinfo is not None and value.utcoffset() is not None:
        return value
    return None


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
    instant = _aware(value)
    if instant is None:
        return False
    return _is_overdue(instant, _aware(now) or dt.datetime.now(dt.UTC))


@register.filter
def zone_abbr(zone: object, at: object = None) -> str:
    return instants.zone_abbr(zone, at)


@register.filter
def legal_time(value: object, zone: object = None) -> str:
    """``value`` in ``zone`` as ISO 8601 to the minute with the zone's abbreviation:
    ``2026-11-01T01:30-05:00 EST``; UTC when the zone cannot show it."""
    instant = _aware(value)
    if instant is None:
        return ""
    try:
        local = instant.astimezone(instants.zone_of(zone))
    except (OverflowError, ValueError):
        return instant.isoformat(timespec="minutes")
    return f"{local.isoformat(timespec='minutes')} {instants.zone_abbr(zone, instant)}"


def _utc(value: object, pattern: str) -> str:
    instant = _aware(value)
    if instant is None:
        return ""
    try:
        in_utc = instant.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return instant.isoformat()
    return f"{in_utc.year:04d}-{in_utc.month:02d}-{in_utc.day:02d}T" + pattern.format(t=in_utc)


@register.filter
def utc(value: object) -> str:
    """``value`` in UTC to the minute: ``2026-11-27T22:21Z``."""
    return _utc(value, "{t.hour:02d}:{t.minute:02d}Z")


@register.filter
def utc_seconds(value: object) -> str:
    """``value`` in UTC to the second: ``2026-11-27T22:21:05Z``."""
    return _utc(value, "{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z")
