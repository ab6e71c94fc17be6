"""Counting conventions: how an authority reads "within N days", and the words that say how a deadline was
counted. Pure Python, no database; the arithmetic underneath is ``deadlines``.

A convention is a set of named building blocks (``Convention``); two presets implement published rules
exactly, a third is Docket's default (``deadlines.compute_due`` unchanged), and ``custom`` combines the
blocks freely. Every block is evaluated in the authority's zone and business calendar (its country's
public holidays plus the closure days it keeps).

Building blocks:
- ``day_end``: when the last day of a period in days ends: ``same_time`` (the receipt's clock time),
  ``end_of_day`` (23:59:59) or ``close_of_business`` (``closes``, e.g. 17:00).
- ``deemed_receipt``: ``as_received``, or ``next_opening``: a receipt outside business hours
  (``opens``..``closes``) or on a non-business day counts from the next business day's opening.
- ``roll_last_day``: a period in calendar days whose last day is not a business day runs to the next
  business day.
- ``roll_hours``: a period in hours that would end on a non-business day runs to the same time on the
  next business day.
- ``skip_event_hour``: the hour during which the event happens is not counted (a period in hours starts
  at the beginning of the next hour).
- ``min_working_days``: a period in calendar days of two days or more includes at least this many
  working days (0 = no minimum).

Presets:
- ``docket``: same clock time, as received, no rolling (Docket's original reading).
- ``frcp_6a``: US FRCP Rule 6(a): days exclude the trigger day, count every day, a last day that is a
  Saturday, Sunday or legal holiday runs to the end of the next day that is not (6(a)(1)); the last day
  ends at midnight in the zone, shown as 23:59:59 (6(a)(4)(A), electronic filing) or at a set closing
  hour (6(a)(4)(B)); hours count from the event and a period ending on such a day runs to the same time
  on the next day that is not (6(a)(2)).
- ``eu_1182_71``: EU Regulation 1182/71, Article 3: the hour or day of the event is not counted (3(1));
  a period ends with the expiry of the last hour of its last day, shown as 23:59:59 (3(2)); holidays and
  weekends count unless the period is in working days (3(3)); a last day that is a public holiday,
  Saturday or Sunday moves to the expiry of the last hour of the following working day (3(4), periods
  not expressed in hours); a period of two days or more includes at least two working days (3(5)).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from .choices import DeadlineRule
from .deadlines import BusinessCalendar, Deadline, _wall_clock, add_business_days, compute_due
from .errors import InconsistentInput, InvalidInput
from .instants import calendar_day, clock, day, legal

UTC = dt.UTC
END_OF_DAY = dt.time(23, 59, 59)


class DayEnd(StrEnum):
    SAME_TIME = "same_time"
    END_OF_DAY = "end_of_day"
    CLOSE_OF_BUSINESS = "close_of_business"


class DeemedReceipt(StrEnum):
    AS_RECEIVED = "as_received"
    NEXT_OPENING = "next_opening"


class Preset(StrEnum):
    DOCKET = "docket"
    FRCP_6A = "frcp_6a"
    EU_1182_71 = "eu_1182_71"
    CUSTOM = "custom"


PRESET_LABELS = {
    Preset.DOCKET: "Docket default",
    Preset.FRCP_6A: "US FRCP Rule 6(a)",
    Preset.EU_1182_71: "EU 1182/71, Article 3",
    Preset.CUSTOM: "custom convention",
}
DAY_END_LABELS = {
    DayEnd.SAME_TIME: "same clock time as the receipt",
    DayEnd.END_OF_DAY: "end of day (23:59:59)",
    DayEnd.CLOSE_OF_BUSINESS: "close of business",
}
DEEMED_LABELS = {
    DeemedReceipt.AS_RECEIVED: "as received",
    DeemedReceipt.NEXT_OPENING: "outside business hours or on a non-business day: next business day's opening",
}


@dataclass(frozen=True)
class Convention:
    """The building blocks (see the module's docstring); the defaults are Docket's default."""

    preset: Preset = Preset.DOCKET
    day_end: DayEnd = DayEnd.SAME_TIME
    deemed_receipt: DeemedReceipt = DeemedReceipt.AS_RECEIVED
    opens: dt.time = dt.time(9, 0)
    closes: dt.time = dt.time(17, 0)
    roll_last_day: bool = False
    roll_hours: bool = False
    skip_event_hour: bool = False
    min_working_days: int = 0

    @property
    def label(self) -> str:
        return PRESET_LABELS[self.preset]

    def as_dict(self) -> dict[str, Any]:
        """The stored form (JSON): the preset and, for a custom convention or hours, the blocks."""
        data = asdict(self)
        data["opens"] = self.opens.strftime("%H:%M")
        data["closes"] = self.closes.strftime("%H:%M")
        return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in data.items()}

    def describe(self) -> str:
        """The convention in one line, for forms and the report."""
        if self.preset != Preset.CUSTOM:
            extra = f", closing {self.closes:%H:%M}" if self.day_end == DayEnd.CLOSE_OF_BUSINESS else ""
            return f"{self.label}{extra}"
        parts = [f"last day ends: {_day_end_words(self)}", f"receipt: {_deemed_words(self)}"]
        if self.roll_last_day:
            parts.append("a last day that is not a business day moves to the next business day")
        if self.roll_hours:
            parts.append("hours ending on a non-business day run to the same time the next business day")
        if self.skip_event_hour:
            parts.append("the hour of the event not counted")
        if self.min_working_days:
            parts.append(f"periods of two days or more include at least {self.min_working_days} working days")
        return "custom: " + "; ".join(parts)


PRESETS: dict[Preset, Convention] = {
    Preset.DOCKET: Convention(),
    Preset.FRCP_6A: Convention(
        preset=Preset.FRCP_6A, day_end=DayEnd.END_OF_DAY, roll_last_day=True, roll_hours=True
    ),
    Preset.EU_1182_71: Convention(
        preset=Preset.EU_1182_71,
        day_end=DayEnd.END_OF_DAY,
        roll_last_day=True,
        skip_event_hour=True,
        min_working_days=2,
    ),
}
# What a preset lets a person choose (the rest is fixed by the published rule).
PRESET_CHOICES: dict[Preset, frozenset[str]] = {
    Preset.DOCKET: frozenset(),
    Preset.FRCP_6A: frozenset({"day_end", "closes"}),  # 6(a)(4): midnight, or when the office closes
    Preset.EU_1182_71: frozenset(),
}
KEYS = frozenset(Convention.__dataclass_fields__)


def _day_end_words(c: Convention) -> str:
    if c.day_end == DayEnd.CLOSE_OF_BUSINESS:
        return f"close of business at {c.closes:%H:%M}"
    return DAY_END_LABELS[c.day_end]


def _deemed_words(c: Convention) -> str:
    if c.deemed_receipt == DeemedReceipt.AS_RECEIVED:
        return "counted as received"
    return f"outside {c.opens:%H:%M}-{c.closes:%H:%M} or on a non-business day, from the next business day's opening"


# --- reading a stored or submitted convention ------------------------------------------------------


def _choice(enum: type[StrEnum], value: Any, field: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise InvalidInput(f"Unknown {field} {value!r}: use one of {allowed}.", field=field) from None


def _clock_value(value: Any, field: str) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        parsed = dt.time.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            f"{field} must be a time of day such as 17:00 (got {value!r}).", field=field
        ) from None
    return parsed.replace(second=0, microsecond=0)


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("on", "true", "1", 1):
        return True
    if value in ("", "off", "false", "0", 0, None):
        return False
    raise InvalidInput(f"{field} must be true or false (got {value!r}).", field=field)


def convention_from(data: Mapping[str, Any] | None) -> Convention:
    """A convention from its stored or submitted form; empty or ``None`` is Docket's default. A preset keeps
    its published rule: only what ``PRESET_CHOICES`` names may differ. Refuses unknown keys and values."""
    if not data:
        return PRESETS[Preset.DOCKET]
    unknown = set(data) - KEYS
    if unknown:
        raise InvalidInput(f"Unknown convention option(s): {', '.join(sorted(unknown))}.", field="convention")
    preset = _choice(Preset, data.get("preset", Preset.DOCKET), "preset")
    given = _options(data)
    if preset != Preset.CUSTOM:
        allowed = {k: v for k, v in given.items() if k in PRESET_CHOICES[preset]}
        if allowed.get("day_end") == DayEnd.SAME_TIME:
            raise InconsistentInput(
                f"{PRESET_LABELS[preset]} ends the last day at midnight or closing.", field="day_end"
            )
        return replace(PRESETS[preset], **allowed)
    convention = Convention(preset=Preset.CUSTOM, **given)
    if convention.opens >= convention.closes:
        raise InconsistentInput(
            f"Business hours must open before they close (opens {convention.opens:%H:%M}, "
            f"closes {convention.closes:%H:%M}).",
            field="opens",
        )
    return convention


def _options(data: Mapping[str, Any]) -> dict[str, Any]:
    given: dict[str, Any] = {}
    if "day_end" in data:
        given["day_end"] = _choice(DayEnd, data["day_end"], "day_end")
    if "deemed_receipt" in data:
        given["deemed_receipt"] = _choice(DeemedReceipt, data["deemed_receipt"], "deemed_receipt")
    for name in ("opens", "closes"):
        if name in data and data[name] not in ("", None):
            given[name] = _clock_value(data[name], name)
    for name in ("roll_last_day", "roll_hours", "skip_event_hour"):
        if name in data:
            given[name] = _flag(data[name], name)
    if "min_working_days" in data:
        try:
            minimum = int(data["min_working_days"] or 0)
        except (TypeError, ValueError):
            minimum = -1
        if not 0 <= minimum <= 5:
            raise InvalidInput("At least 0 to 5 working days.", field="min_working_days")
        given["min_working_days"] = minimum
    return given


# --- counting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """A due instant (UTC) and the steps that produced it, in words."""

    due: dt.datetime
    steps: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return " → ".join(self.steps)


def count(
    deadline: Deadline,
    *,
    received_at: dt.datetime,
    tz: ZoneInfo,
    calendar: BusinessCalendar,
    convention: Convention,
) -> Counted:
    """When ``deadline`` falls due under ``convention``, with the explanation. Validation (amounts, the
    window, a stated instant before the receipt) is ``compute_due``'s; under Docket's default the instant
    is ``compute_due``'s."""
    default_due = compute_due(deadline, received_at=received_at, tz=tz, calendar=calendar)
    rule = DeadlineRule(deadline.rule)
    steps = [f"received {_short(received_at, tz)}"]
    if rule == DeadlineRule.IMMEDIATELY:
        return Counted(default_due, (*steps, f"due immediately: {legal(default_due, tz, seconds=True)}"))
    if rule == DeadlineRule.BY_INSTANT:
        return Counted(
            default_due, (*steps, f"due at the stated instant {legal(default_due, tz, seconds=True)}")
        )
    start = _deemed(received_at.astimezone(tz), tz, calendar, convention, steps)
    amount = deadline.amount or 0
    if rule == DeadlineRule.HOURS:
        due = _hours(start, amount, tz, calendar, convention, steps)
    else:
        due = _days(rule, start, amount, tz, calendar, convention, steps)
    due = max(due.astimezone(UTC), received_at.astimezone(UTC))
    if convention.preset == Preset.DOCKET:
        due = default_due
    steps.append(f"due {legal(due, tz, seconds=True)}")
    return Counted(due, tuple(steps))


def _short(instant: dt.datetime, tz: ZoneInfo) -> str:
    local = instant.astimezone(tz)
    return f"{day(local, tz)}, {clock(local, tz, seconds=local.second != 0)}"


def deemed_receipt(
    received_at: dt.datetime, tz: ZoneInfo, calendar: BusinessCalendar, c: Convention
) -> dt.datetime:
    """The instant counting starts from under ``c``'s deemed-receipt block."""
    return _deemed(received_at.astimezone(tz), tz, calendar, c, [])


def _deemed(
    local: dt.datetime, tz: ZoneInfo, calendar: BusinessCalendar, c: Convention, steps: list[str]
) -> dt.datetime:
    if c.deemed_receipt == DeemedReceipt.AS_RECEIVED:
        return local
    today = local.date()
    if calendar.is_business_day(today):
        if local.time() < c.opens:
            deemed = _wall_clock(today, c.opens, tz)
            steps.append(f"before opening at {c.opens:%H:%M}: deemed received {_short(deemed, tz)}")
            return deemed
        if local.time() < c.closes:
            return local
        why = f"after close of business at {c.closes:%H:%M}"
    else:
        name = calendar.holiday_name(today)
        why = f"on {name}" if name else "on a non-business day"
    deemed = _wall_clock(add_business_days(today, 1, calendar), c.opens, tz)
    steps.append(f"{why}: deemed received {_short(deemed, tz)}")
    return deemed


def _hours(
    start: dt.datetime, amount: int, tz: ZoneInfo, calendar: BusinessCalendar, c: Convention, steps: list[str]
) -> dt.datetime:
    unit = "hour" if amount == 1 else "hours"
    if c.skip_event_hour:
        hour_start = _wall_clock(start.date(), start.time().replace(minute=0, second=0, microsecond=0), tz)
        start = hour_start.astimezone(UTC) + dt.timedelta(hours=1)
        steps.append(
            f"{amount} {unit} under {c.label}, the hour of receipt not counted: from {_short(start, tz)}"
        )
    else:
        steps.append(f"{amount} {unit} under {c.label}, counted from the receipt")
    due = start.astimezone(UTC) + dt.timedelta(hours=amount)
    local = due.astimezone(tz)
    if c.roll_hours and not calendar.is_business_day(local.date()):
        moved = _wall_clock(add_business_days(local.date(), 1, calendar), local.time(), tz)
        steps.append(
            f"ends {_short(local, tz)}, {_why_closed(local.date(), calendar)}: runs to {_short(moved, tz)}"
        )
        return moved
    return due


def _days(
    rule: DeadlineRule,
    start: dt.datetime,
    amount: int,
    tz: ZoneInfo,
    calendar: BusinessCalendar,
    c: Convention,
    steps: list[str],
) -> dt.datetime:
    first = start.date()
    if rule == DeadlineRule.BUSINESS_DAYS:
        last = add_business_days(first, amount, calendar)
        unit = "business day" if amount == 1 else "business days"
    else:
        last = first + dt.timedelta(days=amount)
        unit = "calendar day" if amount == 1 else "calendar days"
    excluded = ", the day of receipt not counted" if amount else ""
    steps.append(f"{amount} {unit} under {c.label}{excluded}")
    skipped = _named_days_skipped(first, last, calendar) if rule == DeadlineRule.BUSINESS_DAYS else []
    if skipped:
        steps.append("skipping " + ", ".join(skipped))
    if rule == DeadlineRule.CALENDAR_DAYS:
        last = _roll_and_extend(first, last, amount, calendar, c, steps)
    return _end_of(last, start, tz, c, steps)


def _roll_and_extend(
    first: dt.date, last: dt.date, amount: int, calendar: BusinessCalendar, c: Convention, steps: list[str]
) -> dt.date:
    if c.roll_last_day and not calendar.is_business_day(last):
        moved = add_business_days(last, 1, calendar)
        passed = _named_days_skipped(last, moved - dt.timedelta(days=1), calendar)
        past = f", past {', '.join(passed)}" if passed else ""
        steps.append(
            f"last day {_date(last)} is {_why_closed(last, calendar)}: moves to {_date(moved)}{past}"
        )
        last = moved
    if c.min_working_days and amount >= 2:
        working = sum(
            calendar.is_business_day(first + dt.timedelta(days=i)) for i in range(1, (last - first).days + 1)
        )
        if working < c.min_working_days:
            extended = add_business_days(last, c.min_working_days - working, calendar)
            steps.append(
                f"the period holds {working} working day{'s' if working != 1 else ''}, at least "
                f"{c.min_working_days} are required: extended to {_date(extended)}"
            )
            last = extended
    return last


def _end_of(last: dt.date, start: dt.datetime, tz: ZoneInfo, c: Convention, steps: list[str]) -> dt.datetime:
    if c.day_end == DayEnd.END_OF_DAY:
        end = _wall_clock(last, END_OF_DAY, tz)
        steps.append(f"last day {_date(last)} ends {clock(end, tz, seconds=True)}")
    elif c.day_end == DayEnd.CLOSE_OF_BUSINESS:
        end = _wall_clock(last, c.closes, tz)
        steps.append(f"last day {_date(last)} ends at close of business, {clock(end, tz)}")
    else:
        end = _wall_clock(last, start.time(), tz)
        steps.append(
            f"last day {_date(last)}, at the receipt's clock time {clock(end, tz, seconds=end.second != 0)}"
        )
    return end


def _date(value: dt.date) -> str:
    return calendar_day(value)


def _why_closed(value: dt.date, calendar: BusinessCalendar) -> str:
    name = calendar.holiday_name(value)
    if name:
        return name
    return (
        "a Saturday" if value.weekday() == 5 else "a Sunday" if value.weekday() == 6 else "not a business day"
    )


MAX_NAMED = 8


def _named_days_skipped(first: dt.date, last: dt.date, calendar: BusinessCalendar) -> list[str]:
    """Holidays and closure days on weekdays between ``first`` (excluded) and ``last``, by name."""
    names: list[str] = []
    current = first + dt.timedelta(days=1)
    total = 0
    while current <= last:
        if current.weekday() < 5 and not calendar.is_business_day(current):
            total += 1
            if len(names) < MAX_NAMED:
                names.append(f"{_date(current)} ({calendar.holiday_name(current)})")
        current += dt.timedelta(days=1)
    if total > MAX_NAMED:
        names.append(f"and {total - MAX_NAMED} more")
    return names
