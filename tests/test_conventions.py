"""Counting conventions on the worked examples of their texts: US FRCP Rule 6(a) and EU Regulation
1182/71, Article 3, each clause with a case, on holidays and DST nights, in the authority's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from directives.choices import DeadlineRule as R
from directives.conventions import PRESETS, Preset, convention_from, count
from directives.deadlines import BusinessCalendar, Deadline, compute_due
from directives.errors import InvalidInput

NY = ZoneInfo("America/New_York")
BRUSSELS = ZoneInfo("Europe/Brussels")
US = BusinessCalendar("US")
BE = BusinessCalendar("BE")
FRCP = PRESETS[Preset.FRCP_6A]
EU = PRESETS[Preset.EU_1182_71]


def counted(rule, amount, received, convention, *, tz=NY, cal=US):
    return count(Deadline(rule, amount), received_at=received, tz=tz, calendar=cal, convention=convention)


def local(result, tz=NY) -> dt.datetime:
    return result.due.astimezone(tz)


# --- US FRCP Rule 6(a) ----------------------------------------------------------------------------


def test_frcp_days_exclude_the_trigger_day_and_end_at_midnight() -> None:
    # 6(a)(1)(A), (C) and (4)(A): 14 days after Mon 2 Nov 2026 is Mon 16 Nov, ending at midnight ET.
    result = counted(R.CALENDAR_DAYS, 14, dt.datetime(2026, 11, 2, 15, 40, tzinfo=NY), FRCP)
    assert local(result) == dt.datetime(2026, 11, 16, 23, 59, 59, tzinfo=NY)
    assert "the day of receipt not counted" in result.explanation
    assert result.explanation.endswith("due Mon 16 Nov 2026, 23:59:59 EST · Tue 17 Nov 2026, 04:59:59 UTC")


def test_frcp_counts_intermediate_weekends_and_holidays() -> None:
    # 6(a)(1)(B): Veterans Day (Wed 11 Nov) and the weekend inside the period count.
    result = counted(R.CALENDAR_DAYS, 10, dt.datetime(2026, 11, 6, 9, 0, tzinfo=NY), FRCP)
    assert local(result).date() == dt.date(2026, 11, 16)


def test_frcp_last_day_on_a_saturday_runs_to_monday() -> None:
    # 6(a)(1)(C): 5 days after Mon 30 Nov is Sat 5 Dec: the period runs to the end of Mon 7 Dec.
    result = counted(R.CALENDAR_DAYS, 5, dt.datetime(2026, 11, 30, 11, 0, tzinfo=NY), FRCP)
    assert local(result) == dt.datetime(2026, 12, 7, 23, 59, 59, tzinfo=NY)
    assert "last day Sat 05 Dec 2026 is a Saturday: moves to Mon 07 Dec 2026" in result.explanation


def test_frcp_last_day_on_a_legal_holiday_then_a_weekend() -> None:
    # 6(a)(1)(C), (6): 10 days after Tue 15 Dec is Christmas Day, Fri 25 Dec: runs to Mon 28 Dec.
    result = counted(R.CALENDAR_DAYS, 10, dt.datetime(2026, 12, 15, 8, 0, tzinfo=NY), FRCP)
    assert local(result).date() == dt.date(2026, 12, 28)
    assert "Christmas Day" in result.explanation


def test_frcp_last_day_on_thanksgiving_runs_to_friday() -> None:
    result = counted(R.CALENDAR_DAYS, 10, dt.datetime(2026, 11, 16, 8, 0, tzinfo=NY), FRCP)
    assert local(result).date() == dt.date(2026, 11, 27)


def test_frcp_last_day_may_end_when_the_office_closes() -> None:
    # 6(a)(4)(B): filing by other means ends when the clerk's office is scheduled to close.
    closing = convention_from({"preset": "frcp_6a", "day_end": "close_of_business", "closes": "16:30"})
    result = counted(R.CALENDAR_DAYS, 14, dt.datetime(2026, 11, 2, 15, 40, tzinfo=NY), closing)
    assert local(result) == dt.datetime(2026, 11, 16, 16, 30, tzinfo=NY)


def test_frcp_hours_count_from_the_event_and_a_saturday_end_runs_to_monday_same_time() -> None:
    # 6(a)(2): 48 hours from Thu 3 Dec 10:23 would end Sat 5 Dec 10:23: it runs to Mon 7 Dec 10:23.
    result = counted(R.HOURS, 48, dt.datetime(2026, 12, 3, 10, 23, tzinfo=NY), FRCP)
    assert local(result) == dt.datetime(2026, 12, 7, 10, 23, tzinfo=NY)
    assert "a Saturday: runs to Mon 07 Dec 2026, 10:23 EST" in result.explanation


def test_frcp_hours_count_intermediate_weekend_hours() -> None:
    # 6(a)(2)(B): 72 hours from Fri 10:23 end Mon 10:23; the weekend's hours count.
    result = counted(R.HOURS, 72, dt.datetime(2026, 12, 4, 10, 23, tzinfo=NY), FRCP)
    assert local(result) == dt.datetime(2026, 12, 7, 10, 23, tzinfo=NY)


def test_frcp_across_the_spring_forward_night() -> None:
    # 1 day after Sat 7 Mar 2026 is Sun 8 Mar (clocks move forward): runs to the end of Mon 9 Mar EDT.
    result = counted(R.CALENDAR_DAYS, 1, dt.datetime(2026, 3, 7, 12, 0, tzinfo=NY), FRCP)
    assert result.due == dt.datetime(2026, 3, 10, 3, 59, 59, tzinfo=dt.UTC)
    # 24 elapsed hours from Sat 12:00 EST end Sun 13:00 EDT, a Sunday: same time on Monday.
    hours = counted(R.HOURS, 24, dt.datetime(2026, 3, 7, 12, 0, tzinfo=NY), FRCP)
    assert local(hours) == dt.datetime(2026, 3, 9, 13, 0, tzinfo=NY)


# --- EU Regulation 1182/71, Article 3 --------------------------------------------------------------


def test_eu_day_of_the_event_not_counted_holidays_included_ends_with_the_last_hour() -> None:
    # 3(1), 3(2)(b), 3(3): 10 days from Mon 2 Nov 2026 end with Thu 12 Nov; Armistice Day (11 Nov) counts.
    result = counted(
        R.CALENDAR_DAYS, 10, dt.datetime(2026, 11, 2, 15, 0, tzinfo=BRUSSELS), EU, tz=BRUSSELS, cal=BE
    )
    assert local(result, BRUSSELS) == dt.datetime(2026, 11, 12, 23, 59, 59, tzinfo=BRUSSELS)


def test_eu_last_day_on_a_saturday_moves_to_the_following_working_day() -> None:
    # 3(4): 14 days from Sat 28 Nov end on Sat 12 Dec: the period ends with Mon 14 Dec.
    result = counted(
        R.CALENDAR_DAYS, 14, dt.datetime(2026, 11, 28, 10, 0, tzinfo=BRUSSELS), EU, tz=BRUSSELS, cal=BE
    )
    assert local(result, BRUSSELS) == dt.datetime(2026, 12, 14, 23, 59, 59, tzinfo=BRUSSELS)
    assert "last day Sat 12 Dec 2026 is a Saturday: moves to Mon 14 Dec 2026" in result.explanation
    assert result.explanation.endswith("due Mon 14 Dec 2026, 23:59:59 CET · 22:59:59 UTC")


def test_eu_last_day_on_a_public_holiday_moves_past_it_and_the_weekend() -> None:
    result = counted(
        R.CALENDAR_DAYS, 10, dt.datetime(2026, 12, 15, 8, 0, tzinfo=BRUSSELS), EU, tz=BRUSSELS, cal=BE
    )
    assert local(result, BRUSSELS).date() == dt.date(2026, 12, 28)


def test_eu_a_period_of_two_days_includes_two_working_days() -> None:
    # 3(4) then 3(5): 2 days from Fri 4 Dec end Sun 6 Dec -> Mon 7 Dec, one working day -> Tue 8 Dec.
    result = counted(
        R.CALENDAR_DAYS, 2, dt.datetime(2026, 12, 4, 10, 0, tzinfo=BRUSSELS), EU, tz=BRUSSELS, cal=BE
    )
    assert local(result, BRUSSELS) == dt.datetime(2026, 12, 8, 23, 59, 59, tzinfo=BRUSSELS)
    assert "at least 2 are required: extended to Tue 08 Dec 2026" in result.explanation


def test_eu_hours_skip_the_hour_of_the_event_and_do_not_move_off_a_saturday() -> None:
    # 3(1), 3(2)(a): 2 hours from 10:20 start at 11:00 and end at 13:00.
    result = counted(R.HOURS, 2, dt.datetime(2026, 12, 2, 10, 20, tzinfo=BRUSSELS), EU, tz=BRUSSELS, cal=BE)
    assert local(result, BRUSSELS) == dt.datetime(2026, 12, 2, 13, 0, tzinfo=BRUSSELS)
    # 3(4) is for periods "expressed otherwise than in hours": 24 hours from Fri 10:20 end Sat 11:00.
    saturday = counted(
        R.HOURS, 24, dt.datetime(2026, 12, 4, 10, 20, tzinfo=BRUSSELS), EU, tz=BRUSSELS, cal=BE
    )
    assert local(saturday, BRUSSELS) == dt.datetime(2026, 12, 5, 11, 0, tzinfo=BRUSSELS)


def test_eu_working_days_skip_the_institutions_closure_days() -> None:
    # 3(3) and Article 2(1): the institution's own closure days are not working days.
    closures = tuple((dt.date(2026, 12, d), "Commission closure") for d in (24, 28, 29, 30, 31))
    cal = BusinessCalendar("BE", closures=closures)
    received = dt.datetime(2026, 12, 23, 15, 0, tzinfo=BRUSSELS)
    plain = counted(R.BUSINESS_DAYS, 5, received, EU, tz=BRUSSELS, cal=BE)
    assert local(plain, BRUSSELS).date() == dt.date(2026, 12, 31)
    closed = counted(R.BUSINESS_DAYS, 5, received, EU, tz=BRUSSELS, cal=cal)
    assert local(closed, BRUSSELS) == dt.datetime(2027, 1, 8, 23, 59, 59, tzinfo=BRUSSELS)
    assert "Thu 24 Dec 2026 (Commission closure)" in closed.explanation
    assert "Fri 01 Jan 2027 (New Year's Day)" in closed.explanation


def test_eu_across_the_fall_back_night() -> None:
    # 2 days from Fri 23 Oct 2026 end Sun 25 Oct (clocks go back) -> Mon 26 Oct -> Tue 27 Oct, in CET.
    result = counted(
        R.CALENDAR_DAYS, 2, dt.datetime(2026, 10, 23, 9, 0, tzinfo=BRUSSELS), EU, tz=BRUSSELS, cal=BE
    )
    assert result.due == dt.datetime(2026, 10, 27, 22, 59, 59, tzinfo=dt.UTC)
    # 24 hours from Sat 10:20 CEST start 11:00 CEST (09:00 UTC): 24 elapsed hours later is Sun 10:00 CET.
    hours = counted(R.HOURS, 24, dt.datetime(2026, 10, 24, 10, 20, tzinfo=BRUSSELS), EU, tz=BRUSSELS, cal=BE)
    assert local(hours, BRUSSELS) == dt.datetime(2026, 10, 25, 10, 0, tzinfo=BRUSSELS)


# --- building blocks and the default ----------------------------------------------------------------


def test_deemed_receipt_on_a_saturday_counts_from_monday_opening() -> None:
    custom = convention_from(
        {"preset": "custom", "day_end": "end_of_day", "deemed_receipt": "next_opening", "opens": "09:00"}
    )
    result = counted(
        R.BUSINESS_DAYS, 10, dt.datetime(2026, 11, 28, 10, 0, tzinfo=BRUSSELS), custom, tz=BRUSSELS, cal=BE
    )
    assert local(result, BRUSSELS) == dt.datetime(2026, 12, 14, 23, 59, 59, tzinfo=BRUSSELS)
    assert result.explanation.startswith(
        "received Sat 28 Nov 2026, 10:00 CET → on a non-business day: deemed received Mon 30 Nov 2026, 09:00 CET"
    )


def test_deemed_receipt_after_close_of_business_and_the_default_on_a_saturday() -> None:
    deemed = convention_from({"preset": "custom", "deemed_receipt": "next_opening", "closes": "17:00"})
    friday_evening = dt.datetime(2027, 1, 15, 17, 21, tzinfo=NY)  # Mon 18 Jan is Martin Luther King Jr. Day
    result = counted(R.BUSINESS_DAYS, 1, friday_evening, deemed)
    # Deemed received Tue 19 Jan 09:00; one business day later, at that clock time.
    assert local(result) == dt.datetime(2027, 1, 20, 9, 0, tzinfo=NY)
    saturday = dt.datetime(2026, 11, 28, 10, 0, tzinfo=NY)
    assert local(counted(R.BUSINESS_DAYS, 1, saturday, deemed)).date() == dt.date(2026, 12, 1)
    # Docket's default counts Saturday + 1 business day = Monday, at the receipt's clock time.
    assert local(counted(R.BUSINESS_DAYS, 1, saturday, PRESETS[Preset.DOCKET])) == dt.datetime(
        2026, 11, 30, 10, 0, tzinfo=NY
    )


def test_the_default_is_compute_due_and_says_how_it_counted() -> None:
    received = dt.datetime(2027, 1, 15, 17, 21, tzinfo=NY)
    result = counted(R.BUSINESS_DAYS, 2, received, PRESETS[Preset.DOCKET])
    assert result.due == compute_due(Deadline(R.BUSINESS_DAYS, 2), received_at=received, tz=NY, calendar=US)
    assert result.explanation == (
        "received Fri 15 Jan 2027, 17:21 EST → 2 business days under Docket default, the day of receipt not "
        "counted → skipping Mon 18 Jan 2027 (Martin Luther King Jr. Day) → last day Wed 20 Jan 2027, at the "
        "receipt's clock time 17:21 EST → due Wed 20 Jan 2027, 17:21:00 EST · 22:21:00 UTC"
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"preset": "frcp_7"}, "preset"),
        ({"preset": "custom", "day_end": "dusk"}, "day_end"),
        ({"preset": "custom", "closes": "25:00"}, "closes"),
        ({"preset": "custom", "opens": "18:00", "closes": "17:00"}, "opens"),
        ({"preset": "custom", "min_working_days": 9}, "min_working_days"),
        ({"preset": "custom", "roll_hours": "maybe"}, "roll_hours"),
        ({"preset": "frcp_6a", "day_end": "same_time"}, "day_end"),
        ({"preset": "custom", "colour": "red"}, "convention"),
    ],
)
def test_bad_conventions_are_refused_with_the_field(data, field) -> None:
    with pytest.raises(InvalidInput) as refused:
        convention_from(data)
    assert refused.value.field == field


def test_a_preset_keeps_its_published_rule() -> None:
    # Only the last day's end may be chosen under FRCP; EU 1182/71 fixes everything.
    assert convention_from({"preset": "eu_1182_71", "day_end": "same_time", "roll_hours": True}) == EU
    assert convention_from({}) == PRESETS[Preset.DOCKET]
    assert convention_from(FRCP.as_dict()) == FRCP


# --- the seed's order: Commerce, Friday 27 Nov 2026 17:21 ET (Thanksgiving was Thursday) ------------

SEED_RECEIPT = dt.datetime(2026, 11, 27, 17, 21, tzinfo=NY)


@pytest.mark.parametrize(
    ("preset", "rule", "amount", "expected"),
    [
        ("docket", R.BUSINESS_DAYS, 2, dt.datetime(2026, 12, 1, 17, 21, tzinfo=NY)),
        ("docket", R.CALENDAR_DAYS, 30, dt.datetime(2026, 12, 27, 17, 21, tzinfo=NY)),
        ("frcp_6a", R.BUSINESS_DAYS, 2, dt.datetime(2026, 12, 1, 23, 59, 59, tzinfo=NY)),
        # 30 days end on Sun 27 Dec: FRCP runs to the end of Mon 28 Dec.
        ("frcp_6a", R.CALENDAR_DAYS, 30, dt.datetime(2026, 12, 28, 23, 59, 59, tzinfo=NY)),
        ("eu_1182_71", R.CALENDAR_DAYS, 30, dt.datetime(2026, 12, 28, 23, 59, 59, tzinfo=NY)),
    ],
)
def test_the_seed_orders_deadlines_under_each_preset(preset, rule, amount, expected) -> None:
    result = counted(rule, amount, SEED_RECEIPT, convention_from({"preset": preset}))
    assert local(result) == expected


def test_the_seed_order_deemed_received_after_close_of_business() -> None:
    deemed = convention_from(
        {
            "preset": "custom",
            "deemed_receipt": "next_opening",
            "day_end": "close_of_business",
            "closes": "17:00",
        }
    )
    result = counted(R.BUSINESS_DAYS, 2, SEED_RECEIPT, deemed)
    assert local(result) == dt.datetime(2026, 12, 2, 17, 0, tzinfo=NY)
    assert (
        "after close of business at 17:00: deemed received Mon 30 Nov 2026, 09:00 EST" in result.explanation
    )
