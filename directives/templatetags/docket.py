"""Shared template filters for legal times.

Legal instants are rendered with ``astimezone(zone).isoformat()`` and UTC beside them, never with
Django's ``date`` filter, which drops the offset in the DST fall-back hour (see PITFALLS.md).

    {{ entry.occurred_at|legal_time:authority.time_zone }}  -> 2026-11-27T17:21-05:00 EST
    {{ entry.occurred_at|utc }}                              -> 2026-11-27T22:21Z
    {{ task.due_at|relative:now }}                           -> 2 h overdue / due in 3 d
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.conf import settings

register = template.Library()


def _zone(value: object) -> ZoneInfo:
    if isinstance(value, ZoneInfo):
        return value
    name = str(value or "") or settings.DOCKET_COMPANY_TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.DOCKET_COMPANY_TIME_ZONE)


def _aware(value: object) -> dt.datetime | None:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        return None
    return value


@register.filter
def legal_time(value: object, zone: object = None) -> str:
    """``value`` in ``zone`` (an IANA name or ZoneInfo; the company zone by default) to the minute,
    with its offset and the zone's abbreviation: ``2026-11-01T01:30-05:00 EST``."""
    instant = _aware(value)
    if instant is None:
        return ""
    local = instant.astimezone(_zone(zone))
    return f"{local.isoformat(timespec='minutes')} {local.tzname()}"


@register.filter
def utc(value: object) -> str:
    """``value`` in UTC to the minute: ``2026-11-27T22:21Z``."""
    instant = _aware(value)
    if instant is None:
        return ""
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


@register.filter
def utc_seconds(value: object) -> str:
    """``value`` in UTC to the second (for the record: recorded_at)."""
    instant = _aware(value)
    if instant is None:
        return ""
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _span(delta: dt.timedelta) -> str:
    seconds = abs(int(delta.total_seconds()))
    if seconds < 3600:
        return f"{max(seconds // 60, 1)} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


@register.filter
def relative(value: object, now: object = None) -> str:
    """How ``value`` (a due instant) stands against ``now``: "2 h overdue" or "due in 3 d"."""
    instant = _aware(value)
    if instant is None:
        return ""
    reference = _aware(now) or dt.datetime.now(dt.UTC)
    delta = instant - reference
    if delta < dt.timedelta(0):
        return f"{_span(delta)} overdue"
    return f"due in {_span(delta)}"


@register.filter
def is_overdue(value: object, now: object = None) -> bool:
    instant = _aware(value)
    if instant is None:
        return False
    reference = _aware(now) or dt.datetime.now(dt.UTC)
    return instant < reference


@register.filter
def zone_abbr(zone: object, at: object = None) -> str:
    """The abbreviation of ``zone`` at instant ``at`` (now by default): EST, EDT, CET..."""
    instant = _aware(at) or dt.datetime.now(dt.UTC)
    return instant.astimezone(_zone(zone)).tzname() or ""
