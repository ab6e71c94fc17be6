"""Properties of the counting conventions (``conventions.count``), each stated per convention, over
generated receipts, zones, calendars with closure days, and custom conventions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from directives.choices import DeadlineRule as R
from directives.conventions import (
    END_OF_DAY,
    PRESETS,
    Convention,
    DayEnd,
    DeemedReceipt,
    Preset,
    count,
    deemed_receipt,
)
from directives.deadlines import BusinessCalendar, Deadline, compute_due

UTC = dt.UTC
ZONES = [ZoneInfo(n) for n in ("America/New_York", "Europe/Brussels", "Asia/Kolkata", "UTC")]
AMOUNTS = {R.HOURS: 24 * 30, R.CALENDAR_DAYS: 120, R.BUSINESS_DAYS: 60}

receipts = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 6, 30), timezones=st.just(UTC)
)
closure_days = st.lists(
    st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31)), max_size=40, unique=True
)


@st.composite
def calendars(draw) -> BusinessCalendar:
    country = draw(st.sampled_from(["US", "BE", "DE", "IN"]))
    return BusinessCalendar(country, closures=tuple((d, "Closure") for d in draw(closure_days)))


@st.composite
def conventions(draw) -> Convention:
    """A preset, or any custom combination of the building blocks."""
    if draw(st.booleans()):
        return PRESETS[draw(st.sampled_from(list(PRESETS)))]
    opens = draw(st.integers(6, 11))
    return Convention(
        preset=Preset.CUSTOM,
        day_end=draw(st.sampled_from(list(DayEnd))),
        deemed_receipt=draw(st.sampled_from(list(DeemedReceipt))),
        opens=dt.time(opens),
        closes=dt.time(draw(st.integers(opens + 1, 20)), draw(st.sampled_from([0, 30]))),
        roll_last_day=draw(st.booleans()),
        roll_hours=draw(st.booleans()),
        skip_event_hour=draw(st.booleans()),
        min_working_days=draw(st.sampled_from([0, 2])),
    )


def due(rule, amount, received, tz, cal, convention) -> dt.datetime:
    return count(Deadline(rule, amount), received_at=received, tz=tz, calendar=cal, convention=convention).due


rules = st.sampled_from(list(AMOUNTS))


@settings(deadline=None, max_examples=300)
@given(
    rule=rules, received=receipts, tz=st.sampled_from(ZONES), cal=calendars(), c=conventions(), data=st.data()
)
def test_never_due_before_the_deemed_receipt(rule, received, tz, cal, c, data) -> None:
    amount = data.draw(st.integers(0, AMOUNTS[rule]))
    result = due(rule, amount, received.astimezone(tz), tz, cal, c)
    assert result >= received
    assert result >= deemed_receipt(received, tz, cal, c)


@settings(deadline=None, max_examples=300)
@given(
    rule=rules, received=receipts, tz=st.sampled_from(ZONES), cal=calendars(), c=conventions(), data=st.data()
)
def test_lands_on_an_allowed_day_never_a_closure_day(rule, received, tz, cal, c, data) -> None:
    """Business days always land on a business day; calendar days do when the last day rolls; hours do
    when they roll. Closure days are not business days."""
    amount = data.draw(st.integers(1, AMOUNTS[rule]))
    result = due(rule, amount, received, tz, cal, c).astimezone(tz)
    rolls = {R.BUSINESS_DAYS: True, R.CALENDAR_DAYS: c.roll_last_day, R.HOURS: c.roll_hours}[rule]
    if rolls:
        assert cal.is_business_day(result.date())
        assert result.date() not in dict(cal.closures)


@settings(deadline=None, max_examples=300)
@given(
    rule=st.sampled_from([R.CALENDAR_DAYS, R.BUSINESS_DAYS]),
    received=receipts,
    cal=calendars(),
    c=conventions(),
    data=st.data(),
)
def test_a_period_in_days_ends_at_the_conventions_time(rule, received, cal, c, data) -> None:
    tz = ZoneInfo("Europe/Brussels")  # its clocks change at 02:00/03:00: every end of day exists once
    amount = data.draw(st.integers(1, AMOUNTS[rule]))
    result = due(rule, amount, received, tz, cal, c).astimezone(tz)
    if c.day_end == DayEnd.END_OF_DAY:
        assert result.time() == END_OF_DAY
    elif c.day_end == DayEnd.CLOSE_OF_BUSINESS:
        assert result.time() == c.closes


def _monotone(c: Convention, rule: R) -> bool:
    """Where a later receipt never gets an earlier deadline. Not for hours that roll (FRCP 6(a)(2):
    Sat 23:00 runs to Mon 23:00 while Mon 00:30 stays), nor for a last day at the receipt's clock time
    that rolls (Sun 10:00 and Mon 16:59 both land on Monday)."""
    if rule == R.HOURS:
        return not c.roll_hours
    if c.day_end != DayEnd.SAME_TIME:
        return True
    if rule == R.BUSINESS_DAYS:
        return c.deemed_receipt == DeemedReceipt.NEXT_OPENING  # counted from a business day's business hours
    return not c.roll_last_day and not c.min_working_days


@settings(deadline=None, max_examples=400)
@given(
    rule=rules,
    first=receipts,
    gap=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=9)),
    tz=st.sampled_from(ZONES),
    cal=calendars(),
    c=conventions(),
    data=st.data(),
)
def test_a_later_receipt_never_gets_an_earlier_deadline(rule, first, gap, tz, cal, c, data) -> None:
    if not _monotone(c, rule):
        return
    amount = data.draw(st.integers(1, AMOUNTS[rule]))
    assert due(rule, amount, first, tz, cal, c) <= due(rule, amount, first + gap, tz, cal, c)


@settings(deadline=None, max_examples=300)
@given(
    rule=rules,
    first=receipts,
    gap=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=9)),
    tz=st.sampled_from(ZONES),
    cal=calendars(),
    data=st.data(),
)
def test_deemed_receipt_presets_are_monotone(rule, first, gap, tz, cal, data) -> None:
    """Under deemed receipt, ending at the end of day or close of business, every rule is monotone."""
    c = Convention(
        preset=Preset.CUSTOM,
        day_end=data.draw(st.sampled_from([DayEnd.END_OF_DAY, DayEnd.CLOSE_OF_BUSINESS])),
        deemed_receipt=DeemedReceipt.NEXT_OPENING,
        roll_last_day=data.draw(st.booleans()),
        min_working_days=data.draw(st.sampled_from([0, 2])),
    )
    amount = data.draw(st.integers(0, AMOUNTS[rule]))
    assert due(rule, amount, first, tz, cal, c) <= due(rule, amount, first + gap, tz, cal, c)


@settings(deadline=None, max_examples=300)
@given(
    rule=st.sampled_from([R.IMMEDIATELY, *AMOUNTS]),
    received=receipts,
    tz=st.sampled_from(ZONES),
    data=st.data(),
)
def test_the_docket_default_is_compute_due(rule, received, tz, data) -> None:
    cal = BusinessCalendar(data.draw(st.sampled_from(["US", "BE", "IN"])))
    amount = data.draw(st.integers(0, AMOUNTS[rule])) if rule in AMOUNTS else None
    deadline = Deadline(rule, amount)
    local = received.astimezone(tz)
    assert count(deadline, received_at=local, tz=tz, calendar=cal, convention=PRESETS[Preset.DOCKET]).due == (
        compute_due(deadline, received_at=local, tz=tz, calendar=cal)
    )
