"""Properties of the deadline rules (``deadlines.compute_due``) and of the escalation ladder
(``escalation.ladder``), checked over generated receipts, zones, calendars and ladders."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from directives.choices import DeadlineRule
from directives.deadlines import BusinessCalendar, Deadline, compute_due, local_time_candidates
from directives.escalation.ladder import Ladder, Step, firings_between, next_marker, plan

UTC = dt.UTC
ZONES = [
    ZoneInfo(n) for n in ("America/New_York", "Europe/Brussels", "Asia/Kolkata", "Australia/Lord_Howe", "UTC")
]
CALENDARS = [BusinessCalendar("US"), BusinessCalendar("DE"), BusinessCalendar("IN")]
NY = ZoneInfo("America/New_York")

receipts = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31), timezones=st.just(UTC)
)
zones = st.sampled_from(ZONES)
calendars = st.sampled_from(CALENDARS)
COUNTING = {DeadlineRule.HOURS: 24 * 60, DeadlineRule.CALENDAR_DAYS: 400, DeadlineRule.BUSINESS_DAYS: 260}


def due(
    rule: DeadlineRule, received: dt.datetime, amount: int | None, tz: ZoneInfo, cal: BusinessCalendar
) -> dt.datetime:
    return compute_due(Deadline(rule, amount), received_at=received, tz=tz, calendar=cal)


@settings(deadline=None)  # the holiday tables load on first use
@given(
    rule=st.sampled_from([DeadlineRule.IMMEDIATELY, *COUNTING]),
    received=receipts,
    tz=zones,
    cal=calendars,
    data=st.data(),
)
def test_a_deadline_is_never_before_its_receipt(rule, received, tz, cal, data) -> None:
    amount = data.draw(st.integers(0, COUNTING[rule])) if rule in COUNTING else None
    # The receipt as the authority's clock read it, fold and all.
    assert due(rule, received.astimezone(tz), amount, tz, cal) >= received


@settings(deadline=None)  # the holiday tables load on first use
@given(received=receipts, tz=zones, cal=calendars, amount=st.integers(0, 260))
def test_a_business_day_deadline_lands_on_a_business_day_of_its_calendar(received, tz, cal, amount) -> None:
    result = due(DeadlineRule.BUSINESS_DAYS, received, amount, tz, cal)
    assert cal.is_business_day(result.astimezone(tz).date())


@settings(deadline=None)  # the holiday tables load on first use
@given(received=receipts, tz=zones, hours=st.integers(0, 24 * 366))
def test_n_hours_is_exactly_n_elapsed_hours(received, tz, hours) -> None:
    result = due(DeadlineRule.HOURS, received.astimezone(tz), hours, tz, CALENDARS[0])
    assert result - received == dt.timedelta(hours=hours)


@settings(deadline=None)  # the holiday tables load on first use
@given(received=receipts, tz=zones, days=st.integers(1, 400))
def test_calendar_days_keep_the_wall_clock(received, tz, days) -> None:
    local = received.astimezone(tz)
    target = dt.datetime.combine(local.date() + dt.timedelta(days=days), local.time())
    result = due(DeadlineRule.CALENDAR_DAYS, received, days, tz, CALENDARS[0]).astimezone(tz)
    if local_time_candidates(target, tz):  # the wall-clock time exists that day
        assert result.replace(tzinfo=None, fold=0) == target
    else:  # in a spring-forward gap: moved forward by the gap, same day
        assert result.date() == target.date() and result.replace(tzinfo=None) > target


def _fall_back_day(year: int) -> dt.date:
    """The first Sunday of November: New York's fall-back day."""
    first = dt.date(year, 11, 1)
    return first + dt.timedelta(days=(6 - first.weekday()) % 7)


@settings(deadline=None)  # the holiday tables load on first use
@given(year=st.integers(2020, 2035), minute=st.integers(0, 59), days=st.integers(1, 30))
def test_a_wall_clock_in_the_fall_back_hour_takes_the_earlier_instant(year, minute, days) -> None:
    target = dt.datetime.combine(_fall_back_day(year), dt.time(1, minute))
    received = (target - dt.timedelta(days=days)).replace(tzinfo=NY)
    earlier, later = local_time_candidates(target, NY)
    assert earlier.utcoffset() == dt.timedelta(hours=-4) and later.utcoffset() == dt.timedelta(hours=-5)
    assert due(DeadlineRule.CALENDAR_DAYS, received, days, NY, CALENDARS[0]) == earlier.astimezone(UTC)


# --- the ladder ---------------------------------------------------------------------------------

H = dt.timedelta(hours=1)


@st.composite
def ladders(draw: st.DrawFn) -> Ladder:
    """A ladder of the shape the database allows: at most one reminder (level 0, before due), then levels
    1, 2, ... at increasing offsets at or after due; any step may repeat."""
    repeat = st.one_of(st.none(), st.integers(1, 48).map(lambda h: h * H / 2))
    steps = []
    if draw(st.booleans()):
        steps.append(
            Step(0, 0, "reminder", -draw(st.integers(1, 96)) * H / 2, draw(repeat), True, (), (), ())
        )
    offsets = sorted(set(draw(st.lists(st.integers(0, 400), min_size=1, max_size=5))))
    for level, offset in enumerate(offsets, start=1):
        steps.append(Step(level, level, f"level {level}", offset * H / 2, draw(repeat), True, (), (), ()))
    return Ladder(1, "generated", tuple(steps))


DUE = dt.datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
instants = st.integers(-200, 400).map(lambda q: DUE + q * dt.timedelta(minutes=15))


@settings(deadline=None)  # the holiday tables load on first use
@given(ladder=ladders(), can_be_missed=st.booleans(), after=st.one_of(st.none(), instants))
def test_markers_strictly_increase(ladder, can_be_missed, after) -> None:
    previous = after
    for _ in range(25):
        marker = next_marker(ladder, DUE, previous, can_be_missed=can_be_missed)
        if marker is None:
            break
        assert previous is None or marker > previous
        previous = marker


@settings(deadline=None)  # the holiday tables load on first use
@given(ladder=ladders(), now=instants, can_be_missed=st.booleans())
def test_catch_up_notifies_only_the_highest_level(ladder, now, can_be_missed) -> None:
    """A sweep after downtime records every step it missed, and the one it notifies (the last) is the
    highest level reached."""
    first = next_marker(ladder, DUE, None, can_be_missed=can_be_missed)
    if first is None or first > now:
        return
    decided = plan(
        ladder, due=DUE, level=0, marker=first, now=now, can_be_missed=can_be_missed, existed_from=first
    )
    assert list(decided.firings) == firings_between(ladder, DUE, first, now)
    if decided.firings:
        notified = decided.firings[-1]
        assert notified.step.level == max(f.step.level for f in decided.firings) == decided.level
        assert len({f.step.id for f in decided.firings}) == len(decided.firings)  # each step once
