"""Deadline rules -> the instant something is due. Pure Python, no database.

Every calendar rule is evaluated in the issuing authority's zone and business calendar, never in UTC:
a Friday 17:21 ET receipt is already Saturday in UTC, and counting from the UTC date lands a day off.

The rules as Docket's default convention reads them (docs/deadlines.md; the other conventions are
``conventions.py``):
- immediately: due at the receipt instant itself.
- within N hours: N elapsed hours after receipt (a DST change does not stretch or shrink it).
- within N calendar days: the same local wall-clock time N days later in the authority's zone.
- within N business days: the same local wall-clock time on the Nth business day after the receipt
  date, skipping weekends, the authority's public holidays (observed dates, e.g. a Saturday holiday
  observed on the Friday before) and its closure days. A receipt on a non-business day counts from its
  own date: the first business day after it is day 1 (a Saturday receipt with 1 business day is due
  Monday; 0 business days is the next business day).
- by a stated instant: that instant; it may not lie before the receipt.
A local wall-clock time that does not exist (spring-forward gap) moves forward by the gap; an ambiguous
one (fall-back hour) takes the first occurrence, the earlier instant, so a deadline is never later than
the rule allows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays

from .choices import DeadlineRule
from .errors import InvalidInput
from .instants import check_window, legal

UTC = dt.UTC


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekends and public holidays of a country (and optional subdivision) from the ``holidays`` package,
    plus the closure days an authority keeps itself (``closures``: (date, name) pairs)."""

    country: str = "US"
    subdivision: str = ""
    closures: tuple[tuple[dt.date, str], ...] = ()

    @cached_property
    def _closed(self) -> dict[dt.date, str]:
        return dict(self.closures)

    def holidays_for(self, year: int) -> holidays.HolidayBase:
        return _holidays(self.country, self.subdivision or None, year)

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.holidays_for(day.year) and day not in self._closed

    def holiday_name(self, day: dt.date) -> str | None:
        return self._closed.get(day) or self.holidays_for(day.year).get(day)


@lru_cache(maxsize=256)
def _holidays(country: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    try:
        # Next year too, so that a Saturday New Year's Day observed on Dec 31 of this year is known.
        return holidays.country_holidays(country, subdiv=subdivision, years=[year, year + 1], observed=True)
    except NotImplementedError as exc:
        raise InvalidInput(f"No holiday calendar for country {country!r}.", field="calendar_country") from exc
    except Exception as exc:
        raise InvalidInput(
            f"No holiday calendar for {country!r} subdivision {subdivision!r}.", field="calendar_subdivision"
        ) from exc


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or a clear error."""
    if not name or name not in _zone_names():
        raise InvalidInput(
            f"Unknown time zone {name!r}: use an IANA name such as America/New_York.", field="time_zone"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - guarded above
        raise InvalidInput(f"Unknown time zone {name!r}.", field="time_zone") from exc


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def require_aware(value: dt.datetime, *, field: str) -> dt.datetime:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidInput(
            f"{field} must include a time zone or UTC offset (got a naive time {value.isoformat()}).",
            field=field,
        )
    return value


# --- Local wall-clock times ---------------------------------------------------------------------


class AmbiguousLocalTime(InvalidInput):
    """The wall-clock time occurs twice (DST fall-back); the caller must say which."""

    code = "ambiguous_time"


class NonexistentLocalTime(InvalidInput):
    """The wall-clock time is skipped (DST spring-forward)."""

    code = "nonexistent_time"


def local_time_candidates(naive: dt.datetime, tz: ZoneInfo) -> list[dt.datetime]:
    """The distinct instants a naive local time can mean in ``tz``: 0 (gap), 1, or 2 (fall-back)."""
    found: list[dt.datetime] = []
    for fold in (0, 1):
        candidate = naive.replace(tzinfo=tz, fold=fold)
        # A real time survives a round trip through UTC unchanged.
        back = candidate.astimezone(UTC).astimezone(tz)
        if back.replace(tzinfo=None) == naive and all(candidate.utcoffset() != f.utcoffset() for f in found):
            found.append(candidate)
    return found


def localize(naive: dt.datetime, tz: ZoneInfo, *, offset: str | None = None) -> dt.datetime:
    """Turn a local wall-clock time typed by a person into an aware instant.

    ``offset`` ("-04:00" / "-05:00") picks one of the two instants of a fall-back hour. A time in the
    spring-forward gap is refused rather than guessed.
    """
    if naive.tzinfo is not None:
        raise InvalidInput("Expected a local time without zone.")
    candidates = local_time_candidates(naive, tz)
    if not candidates:
        raise NonexistentLocalTime(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks moved forward); check the time.",
            field="received_at",
        )
    if len(candidates) == 1:
        return candidates[0]
    if offset:
        for c in candidates:
            if format_offset(c) == offset:
                return c
    options = " or ".join(c.isoformat() for c in candidates)
    raise AmbiguousLocalTime(
        f"{naive:%Y-%m-%d %H:%M} happens twice in {tz.key} (clocks moved back): choose {options}.",
        field="received_at",
        options=[format_offset(c) for c in candidates],
    )


def format_offset(value: dt.datetime) -> str:
    off = value.utcoffset() or dt.timedelta(0)
    sign = "-" if off < dt.timedelta(0) else "+"
    minutes = abs(int(off.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _wall_clock(day: dt.date, clock: dt.time, tz: ZoneInfo) -> dt.datetime:
    naive = dt.datetime.combine(day, clock)
    candidates = local_time_candidates(naive, tz)
    if candidates:
        return candidates[0]
    # In the gap: the instant the clock would have shown had it not jumped (fold=0 uses the old offset).
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)


# --- Rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    rule: DeadlineRule
    amount: int | None = None
    stated: dt.datetime | None = None

    def describe(self, zone: object = None) -> str:
        """The rule in words; a stated instant in ``zone`` (the authority's) with UTC beside it."""
        match self.rule:
            case DeadlineRule.IMMEDIATELY:
                return "immediately"
            case DeadlineRule.HOURS:
                return f"within {self.amount} hour{'s' if self.amount != 1 else ''}"
            case DeadlineRule.CALENDAR_DAYS:
                return f"within {self.amount} calendar day{'s' if self.amount != 1 else ''}"
            case DeadlineRule.BUSINESS_DAYS:
                return f"within {self.amount} business day{'s' if self.amount != 1 else ''}"
            case _:
                return f"by {legal(self.stated, zone or dt.UTC)}" if self.stated else "by a stated instant"


MAX_AMOUNT = {
    DeadlineRule.HOURS: 24 * 366,
    DeadlineRule.CALENDAR_DAYS: 3660,
    DeadlineRule.BUSINESS_DAYS: 2600,
}


def compute_due(
    deadline: Deadline,
    *,
    received_at: dt.datetime,
    tz: ZoneInfo,
    calendar: BusinessCalendar,
) -> dt.datetime:
    """The instant ``deadline`` falls due for a directive received at ``received_at`` (returned in UTC)."""
    check_window(received_at, field="received_at")
    rule = DeadlineRule(deadline.rule)
    if rule in MAX_AMOUNT:
        if deadline.amount is None or deadline.amount < 0:
            raise InvalidInput(
                f"'{rule.label}' needs a number of units of 0 or more.", field="deadline_amount"
            )
        if deadline.amount > MAX_AMOUNT[rule]:
            raise InvalidInput(
                f"'{rule.label}' allows at most {MAX_AMOUNT[rule]} units.", field="deadline_amount"
            )
    local = received_at.astimezone(tz)
    amount = deadline.amount or 0  # validated above for the rules that count
    match rule:
        case DeadlineRule.IMMEDIATELY:
            due = received_at
        case DeadlineRule.HOURS:
            # In UTC: aware arithmetic within one ZoneInfo is wall-clock arithmetic in Python.
            due = received_at.astimezone(UTC) + dt.timedelta(hours=amount)
        case DeadlineRule.CALENDAR_DAYS:
            due = _wall_clock(local.date() + dt.timedelta(days=amount), local.time(), tz)
        case DeadlineRule.BUSINESS_DAYS:
            due = _wall_clock(add_business_days(local.date(), amount, calendar), local.time(), tz)
        case DeadlineRule.BY_INSTANT:
            if deadline.stated is None:
                raise InvalidInput("A stated deadline needs its date and time.", field="deadline_at")
            check_window(deadline.stated, field="deadline_at", label="deadline")
            if deadline.stated.astimezone(UTC) < received_at.astimezone(UTC):
                raise InvalidInput(
                    f"The deadline {legal(deadline.stated, tz)} is before the receipt "
                    f"{legal(received_at, tz, seconds=True)}.",
                    field="deadline_at",
                )
            due = deadline.stated
    # The fall-back hour's earlier instant can precede a receipt in its second occurrence ("within 0 days"
    # received at the second 01:30): a deadline is never before the receipt it counts from.
    # In UTC: two instants of one ZoneInfo compare by wall clock, and the two 01:30s would be equal.
    return max(due.astimezone(UTC), received_at.astimezone(UTC))


def add_business_days(start: dt.date, count: int, calendar: BusinessCalendar) -> dt.date:
    """The ``count``-th business day after ``start`` (0 = ``start`` itself, or the next business day)."""
    day = start
    if count == 0:
        while not calendar.is_business_day(day):
            day += dt.timedelta(days=1)
        return day
    remaining = count
    while remaining:
        day += dt.timedelta(days=1)
        if calendar.is_business_day(day):
            remaining -= 1
    return day
