"""Instants: the window Docket accepts, and how an instant or a span of time is shown.

One place for both, so that every form, serializer, page, e-mail and export agrees.

Accepting. Every instant a person or an integrator gives (a receipt, an ``occurred_at``, a due instant) must
lie in ``EARLIEST``..``LATEST`` (``check_window``). Outside it the arithmetic that follows (an escalation
offset added to a deadline, a conversion to the authority's zone) can overflow Python's ``datetime``, and no
directive of this century needs it. An event may also not be dated more than ``MAX_BEFORE_RECEIPT`` before
the directive's receipt (``check_not_long_before``): the record of what a company did about an order starts
with the order; background that is older belongs in the summary or a document.

Showing. People read words with a weekday, their zone's abbreviation and UTC beside a legal instant:
``Fri 27 Nov 2026, 17:21 EST · 22:21 UTC``. Machines read ISO 8601 (``machine``), which belongs only in
``<time datetime>`` attributes, exports and the API. Rendering is built on ``astimezone`` and the fields of
the result, never on Django's ``date`` filter (it drops the zone in the DST fall-back hour) nor on
``strftime`` (locale-dependent). It never raises: an instant that cannot be shown in a zone (a row stored
before the window existed, in year 1) is shown in UTC, and anything that is not an aware instant is shown
as an empty string.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from .errors import InvalidInput
from .overdue import is_overdue

UTC = dt.UTC
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=UTC)
MAX_BEFORE_RECEIPT = dt.timedelta(days=366)

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SEPARATOR = " · "


# --- accepting ---------------------------------------------------------------------------------


def window_text() -> str:
    return f"between {EARLIEST.year} and {LATEST.year - 1}"


def in_window(value: dt.datetime) -> bool:
    return EARLIEST <= value < LATEST


def check_window(value: dt.datetime, *, field: str, label: str | None = None) -> dt.datetime:
    """``value`` if it is aware and inside the accepted window, else ``InvalidInput`` naming ``field``."""
    name = label or field.replace("_", " ")
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{name.capitalize()} must be a date and time with its time zone or UTC offset.", field=field
        )
    if not in_window(value):
        raise InvalidInput(f"{name.capitalize()} must be {window_text()}.", field=field)
    return value


def check_not_long_before(
    value: dt.datetime, *, receipt: dt.datetime, field: str = "occurred_at", label: str | None = None
) -> dt.datetime:
    """``value`` unless it lies more than ``MAX_BEFORE_RECEIPT`` before ``receipt``."""
    check_window(value, field=field, label=label)
    if value < receipt - MAX_BEFORE_RECEIPT:
        name = label or field.replace("_", " ")
        raise InvalidInput(
            f"{name.capitalize()} is more than {MAX_BEFORE_RECEIPT.days} days before the directive was "
            f"received ({legal(receipt, UTC)}).",
            field=field,
        )
    return value


# --- zones -------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _zone_named(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None


def company_zone() -> ZoneInfo:
    return _zone_named(settings.DOCKET_COMPANY_TIME_ZONE) or ZoneInfo("UTC")


def preferred_zone_name(user: object) -> str:
    """The IANA name ``user`` chose (``Preference.time_zone``), or "" for the company's zone. Read once per
    user object: the reading is kept on it as ``docket_time_zone`` (the header's query sets it for the
    signed-in person, so a page costs no extra query)."""
    cached = getattr(user, "docket_time_zone", None)
    if isinstance(cached, str):
        return cached
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return ""
    # The reverse one-to-one accessor: one query, its answer (a row or none) kept on the user object.
    preference = getattr(user, "docket_preference", None)
    name = getattr(preference, "time_zone", "") or ""
    with contextlib.suppress(AttributeError):  # an object that refuses attributes is asked again
        user.docket_time_zone = name  # type: ignore[attr-defined]
    return name


def viewer_zone(user: object) -> ZoneInfo:
    """The zone a person reads work instants (task due dates, reminders) in: their own preference where
    they set one, else the company's."""
    preferred = preferred_zone_name(user)
    return (_zone_named(preferred) if preferred else None) or company_zone()


def zone_of(value: object) -> ZoneInfo:
    """A ZoneInfo from a ZoneInfo, an IANA name, or anything with a ``time_zone`` attribute (an authority,
    a directive's authority); the company's zone when there is none or it is unknown."""
    if isinstance(
        value, ZoneInfo
    ):  # a lazy one (a page's viewer_zone) is unwrapped: astimezone needs the real
        return value if type(value) is ZoneInfo else (_zone_named(value.key) or company_zone())
    name = getattr(value, "time_zone", value)
    if isinstance(name, ZoneInfo):
        return name
    return (_zone_named(name) if isinstance(name, str) and name else None) or company_zone()


# --- showing -----------------------------------------------------------------------------------


def _aware(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime) and value.tzinfo is not None and value.utcoffset() is not None:
        return value
    return None


def _in(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime | None:
    try:
        return value.astimezone(zone)
    except (OverflowError, ValueError):
        return None


def _date(local: dt.datetime) -> str:
    return f"{_WEEKDAYS[local.weekday()]} {local.day:02d} {_MONTHS[local.month - 1]} {local.year}"


def _clock(local: dt.datetime, *, seconds: bool) -> str:
    text = f"{local.hour:02d}:{local.minute:02d}"
    return f"{text}:{local.second:02d}" if seconds else text


def _abbr(local: dt.datetime) -> str:
    name = local.tzname() or ""
    if name in {"UTC", "Z"}:
        return "UTC"
    if name and (name[0] in "+-"):  # zones without an abbreviation (e.g. Asia/Dubai gives "+04")
        return f"UTC{name}"
    return name


def _words(local: dt.datetime, *, seconds: bool, date: bool = True) -> str:
    clock = f"{_clock(local, seconds=seconds)} {_abbr(local)}"
    return f"{_date(local)}, {clock}" if date else clock


def _same_zone(a: dt.datetime, b: dt.datetime) -> bool:
    return a.utcoffset() == b.utcoffset() and _abbr(a) == _abbr(b)


def legal(value: object, zone: object = None, *, seconds: bool = False) -> str:
    """A legal instant in the authority's zone with UTC beside it:
    ``Fri 27 Nov 2026, 17:21 EST · 22:21 UTC`` (just the UTC part for a UTC authority; the date again when
    UTC is on another day). Empty for anything that is not an aware instant; UTC alone when the zone
    cannot show it."""
    instant = _aware(value)
    if instant is None:
        return ""
    in_utc = _in(instant, UTC)
    local = _in(instant, zone_of(zone))
    if in_utc is None:  # only an instant outside every zone's range: show what is stored
        return instant.isoformat()
    if local is None or _same_zone(local, in_utc):
        return _words(in_utc, seconds=seconds)
    same_day = local.date() == in_utc.date()
    return f"{_words(local, seconds=seconds)}{SEPARATOR}{_words(in_utc, seconds=seconds, date=not same_day)}"


def work(
    value: object, viewer_zone: object = None, other_zone: object = None, *, seconds: bool = False
) -> str:
    """A work instant (a task's due date, a reminder) in the viewer's zone, with ``other_zone`` (the
    authority's) beside it where it reads differently: ``Fri 27 Nov 2026, 17:21 EST · 23:21 CET``."""
    instant = _aware(value)
    if instant is None:
        return ""
    mine = _in(instant, zone_of(viewer_zone))
    if mine is None:
        return legal(instant, UTC, seconds=seconds)
    text = _words(mine, seconds=seconds)
    if other_zone is None:
        return text
    theirs = _in(instant, zone_of(other_zone))
    if theirs is None or _same_zone(mine, theirs):
        return text
    same_day = theirs.date() == mine.date()
    return f"{text}{SEPARATOR}{_words(theirs, seconds=seconds, date=not same_day)}"


def day(value: object, zone: object = None) -> str:
    """Only the date, in ``zone``: ``Fri 27 Nov 2026``."""
    instant = _aware(value)
    if instant is None:
        return ""
    local = _in(instant, zone_of(zone)) or _in(instant, UTC)
    return _date(local) if local is not None else instant.date().isoformat()


def calendar_day(value: object) -> str:
    """A calendar date (not an instant: a closure day, the last day of a period): ``Thu 24 Dec 2026``."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        return ""
    return f"{_WEEKDAYS[value.weekday()]} {value.day:02d} {_MONTHS[value.month - 1]} {value.year}"


def clock(value: object, zone: object = None, *, seconds: bool = False) -> str:
    """Only the time of day with the zone's abbreviation, in ``zone``: ``17:21 EST``."""
    instant = _aware(value)
    if instant is None:
        return ""
    local = _in(instant, zone_of(zone)) or _in(instant, UTC)
    return _words(local, seconds=seconds, date=False) if local is not None else instant.isoformat()


def machine(value: object, zone: object = None) -> str:
    """ISO 8601 to the second, for ``<time datetime>``, exports and the API: in ``zone`` with its offset
    when one is given (``2026-11-27T17:21:00-05:00``), otherwise in UTC (``2026-11-27T22:21:00Z``)."""
    instant = _aware(value)
    if instant is None:
        return ""
    if zone is not None:
        local = _in(instant, zone_of(zone))
        if local is not None:
            return local.replace(microsecond=0).isoformat()
    in_utc = _in(instant, UTC)
    if in_utc is None:
        return instant.isoformat()
    return in_utc.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def iso_local(value: object, zone: object = None) -> str:
    """ISO 8601 to the minute in ``zone`` with its offset and abbreviation, ``2026-11-01T01:30-05:00 EST``
    (the exact stored reading, for exports and the places that show it); UTC when the zone cannot
    show it."""
    instant = _aware(value)
    if instant is None:
        return ""
    local = _in(instant, zone_of(zone))
    if local is None:
        return instant.isoformat(timespec="minutes")
    return f"{local.isoformat(timespec='minutes')} {_abbr(local)}"


def iso_utc(value: object, *, seconds: bool = False) -> str:
    """ISO 8601 in UTC, to the minute (``2026-11-27T22:21Z``) or to the second (``2026-11-27T22:21:05Z``)."""
    instant = _aware(value)
    if instant is None:
        return ""
    t = _in(instant, UTC)
    if t is None:
        return instant.isoformat()
    text = f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}"
    return f"{text}:{t.second:02d}Z" if seconds else f"{text}Z"


def iso_pair(value: object, zone: object = None) -> str:
    """``iso_local`` with ``iso_utc`` beside it: ``2026-11-27T17:21-05:00 EST (2026-11-27T22:21Z)``."""
    if _aware(value) is None:
        return ""
    return f"{iso_local(value, zone)} ({iso_utc(value)})"


def zone_abbr(zone: object, at: object = None) -> str:
    """The abbreviation of ``zone`` at instant ``at`` (now by default): EST, EDT, CET..."""
    instant = _aware(at) or dt.datetime.now(UTC)
    local = _in(instant, zone_of(zone))
    return _abbr(local) if local is not None else "UTC"


def duration(delta: object, *, brief: bool = False) -> str:
    """A span of time in words, to the minute, the two largest units: ``27 min``, ``2 h 5 min``, ``3 d 4 h``;
    ``under a minute`` below one (``under 1 min`` when ``brief``, for a tile). The sign is ignored
    (``relative`` says which side)."""
    if not isinstance(delta, dt.timedelta):
        return ""
    minutes = abs(int(delta.total_seconds())) // 60
    if minutes < 1:
        return "under 1 min" if brief else "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def is_past_due(value: object, now: object = None) -> bool:
    """``overdue.is_overdue`` for whatever a template holds: False for anything that is not an aware
    instant; ``now`` defaults to the clock."""
    instant = _aware(value)
    return instant is not None and is_overdue(instant, _aware(now) or dt.datetime.now(UTC))


def relative(value: object, now: object = None) -> str:
    """How a due instant stands against ``now``: ``2 h 5 min overdue`` or ``due in 3 d 4 h``."""
    instant = _aware(value)
    if instant is None:
        return ""
    reference = _aware(now) or dt.datetime.now(UTC)
    try:
        delta = instant - reference
    except OverflowError:  # pragma: no cover - aware instants always subtract
        return ""
    if is_overdue(instant, reference):
        return f"{duration(delta)} overdue"
    return f"due in {duration(delta)}"
