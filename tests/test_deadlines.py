from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from directives.choices import DeadlineRule
from directives.deadlines import (
    AmbiguousLocalTime,
    BusinessCalendar,
    Deadline,
    NonexistentLocalTime,
    add_business_days,
    compute_due,
    localize,
    zone,
)
from directives.errors import InvalidInput

NY = ZoneInfo("America/New_York")
US = BusinessCalendar("US")


def due(rule: DeadlineRule, received: dt.datetime, amount: int | None = None, stated=None, cal=US, tz=NY):
    return compute_due(Deadline(rule, amount, stated), received_at=received, tz=tz, calendar=cal)


def test_immediately_is_the_receipt_instant() -> None:
    received = dt.datetime(2026, 11, 27, 17, 21, tzinfo=NY)
    assert due(DeadlineRule.IMMEDIATELY, received) == received
    assert due(DeadlineRule.IMMEDIATELY, received).tzinfo == dt.UTC


def test_two_business_days_from_friday_evening_before_a_monday_holiday() -> None:
    # Friday 2027-01-15 17:21 ET; Monday 2027-01-18 is Martin Luther King Jr. Day.
    received = dt.datetime(2027, 1, 15, 17, 21, tzinfo=NY)
    result = due(DeadlineRule.BUSINESS_DAYS, received, 2)
    assert result.astimezone(NY) == dt.datetime(2027, 1, 20, 17, 21, tzinfo=NY)  # Wednesday
    assert result == dt.datetime(2027, 1, 20, 22, 21, tzinfo=dt.UTC)


def test_business_days_counted_in_the_authority_zone_not_utc() -> None:
    # Friday 20:30 ET is Saturday 01:30 UTC; counting from the UTC date would skip Monday.
    received = dt.datetime(2026, 11, 20, 20, 30, tzinfo=NY)
    assert received.astimezone(dt.UTC).weekday() == 5
    assert due(DeadlineRule.BUSINESS_DAYS, received, 1).astimezone(NY).date() == dt.date(2026, 11, 23)


def test_thanksgiving_is_skipped() -> None:
    received = dt.datetime(2026, 11, 25, 9, 0, tzinfo=NY)  # Wednesday before Thanksgiving
    assert due(DeadlineRule.BUSINESS_DAYS, received, 1).astimezone(NY).date() == dt.date(2026, 11, 27)


def test_observed_new_year_holiday_on_friday_dec_31_2027() -> None:
    assert not US.is_business_day(dt.date(2027, 12, 31))
    assert add_business_days(dt.date(2027, 12, 30), 1, US) == dt.date(2028, 1, 3)


def test_calendar_days_across_dst_fall_back_keep_the_wall_clock() -> None:
    received = dt.datetime(2026, 10, 30, 17, 21, tzinfo=NY)  # EDT, -04:00
    result = due(DeadlineRule.CALENDAR_DAYS, received, 3).astimezone(NY)
    assert result.isoformat() == "2026-11-02T17:21:00-05:00"  # EST after the change
    assert result.astimezone(dt.UTC) - received.astimezone(dt.UTC) == dt.timedelta(hours=73)


def test_hours_are_elapsed_time_across_dst() -> None:
    received = dt.datetime(2026, 3, 7, 17, 21, tzinfo=NY)  # Saturday before spring forward
    result = due(DeadlineRule.HOURS, received, 24)
    assert result - received.astimezone(dt.UTC) == dt.timedelta(hours=24)
    assert result.astimezone(NY).isoformat() == "2026-03-08T18:21:00-04:00"


def test_business_days_landing_in_spring_gap_moves_forward() -> None:
    received = dt.datetime(2026, 3, 6, 2, 30, tzinfo=NY)  # Friday 02:30
    cal = BusinessCalendar("US")
    # 2 calendar days later is Sunday 2026-03-08 02:30, which does not exist in New York.
    result = compute_due(Deadline(DeadlineRule.CALENDAR_DAYS, 2), received_at=received, tz=NY, calendar=cal)
    assert result.astimezone(NY).isoformat() == "2026-03-08T03:30:00-04:00"


def test_stated_deadline_before_receipt_is_refused() -> None:
    received = dt.datetime(2026, 11, 27, 17, 21, tzinfo=NY)
    with pytest.raises(InvalidInput, match="before the receipt"):
        due(DeadlineRule.BY_INSTANT, received, stated=received - dt.timedelta(minutes=1))


def test_naive_receipt_is_refused() -> None:
    with pytest.raises(InvalidInput, match="time zone or UTC offset"):
        due(DeadlineRule.IMMEDIATELY, dt.datetime(2026, 11, 27, 17, 21))


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Unknown time zone 'Mars/Olympus'"):
        zone("Mars/Olympus")


def test_negative_amount_refused() -> None:
    with pytest.raises(InvalidInput, match="0 or more"):
        due(DeadlineRule.HOURS, dt.datetime(2026, 11, 27, 17, 21, tzinfo=NY), -1)


def test_localize_ambiguous_fall_back_hour_asks_which() -> None:
    naive = dt.datetime(2026, 11, 1, 1, 30)
    with pytest.raises(AmbiguousLocalTime) as err:
        localize(naive, NY)
    assert err.value.context["options"] == ["-04:00", "-05:00"]
    assert localize(naive, NY, offset="-05:00").isoformat() == "2026-11-01T01:30:00-05:00"
    assert localize(naive, NY, offset="-04:00").isoformat() == "2026-11-01T01:30:00-04:00"


def test_localize_nonexistent_spring_forward_time_is_refused() -> None:
    with pytest.raises(NonexistentLocalTime):
        localize(dt.datetime(2026, 3, 8, 2, 30), NY)


def test_localize_ordinary_time() -> None:
    assert localize(dt.datetime(2026, 11, 27, 17, 21), NY).isoformat() == "2026-11-27T17:21:00-05:00"


def test_unknown_holiday_calendar_is_refused() -> None:
    with pytest.raises(InvalidInput):
        BusinessCalendar("ZZ").is_business_day(dt.date(2026, 1, 1))


def test_zero_calendar_days_received_in_the_second_fall_back_hour_is_due_at_its_receipt() -> None:
    second_0130 = dt.datetime(2026, 11, 1, 1, 30, tzinfo=NY, fold=1)  # 06:30 UTC, EST
    assert second_0130.utcoffset() == dt.timedelta(hours=-5)
    # Compared in UTC: Python never finds an instant of a repeated hour equal to one in another zone.
    receipt = second_0130.astimezone(dt.UTC)
    assert due(DeadlineRule.CALENDAR_DAYS, second_0130, 0) == receipt
    assert due(DeadlineRule.BUSINESS_DAYS, second_0130, 0) >= receipt
