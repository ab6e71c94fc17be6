"""How instants are accepted and shown: ``directives/instants.py`` and ``directives/overdue.py``."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from directives import instants
from directives.errors import InvalidInput
from directives.overdue import is_overdue

UTC = dt.UTC
NY = ZoneInfo("America/New_York")
BRUSSELS = ZoneInfo("Europe/Brussels")
RECEIPT = dt.datetime(2026, 11, 27, 22, 21, tzinfo=UTC)  # Fri 17:21 EST


def test_a_legal_instant_reads_as_words_in_the_authority_zone_with_utc_beside_it():
    assert instants.legal(RECEIPT, "America/New_York") == "Fri 27 Nov 2026, 17:21 EST · 22:21 UTC"


def test_utc_repeats_the_date_when_it_is_another_day():
    late = dt.datetime(2026, 11, 28, 3, 5, tzinfo=UTC)  # Fri 22:05 EST
    assert instants.legal(late, NY) == "Fri 27 Nov 2026, 22:05 EST · Sat 28 Nov 2026, 03:05 UTC"


def test_a_utc_authority_gets_one_reading():
    assert instants.legal(RECEIPT, "UTC") == "Fri 27 Nov 2026, 22:21 UTC"


def test_the_fall_back_hour_names_which_of_the_two_it_is():
    first = dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    second = dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert instants.legal(first, NY) == "Sun 01 Nov 2026, 01:30 EDT · 05:30 UTC"
    assert instants.legal(second, NY) == "Sun 01 Nov 2026, 01:30 EST · 06:30 UTC"


def test_seconds_on_request_and_never_microseconds():
    value = dt.datetime(2026, 12, 4, 18, 31, 2, 762151, tzinfo=UTC)
    assert instants.legal(value, BRUSSELS, seconds=True) == "Fri 04 Dec 2026, 19:31:02 CET · 18:31:02 UTC"
    assert "762151" not in instants.work(value, NY, BRUSSELS)


def test_a_work_instant_is_in_the_viewers_zone_with_the_authoritys_where_it_differs():
    assert instants.work(RECEIPT, NY, BRUSSELS) == "Fri 27 Nov 2026, 17:21 EST · 23:21 CET"
    assert instants.work(RECEIPT, NY, NY) == "Fri 27 Nov 2026, 17:21 EST"
    assert instants.work(RECEIPT, NY) == "Fri 27 Nov 2026, 17:21 EST"


def test_zones_without_an_abbreviation_show_their_offset():
    assert instants.clock(RECEIPT, "Asia/Dubai") == "02:21 UTC+04"


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(1, 1, 1, tzinfo=UTC),
        dt.datetime.max.replace(tzinfo=UTC),
    ],
)
def test_display_never_raises_on_what_is_stored(value):
    for text in (
        instants.legal(value, NY),
        instants.work(value, NY, BRUSSELS),
        instants.day(value, NY),
        instants.clock(value, NY),
        instants.machine(value, NY),
        instants.relative(value, RECEIPT),
    ):
        assert isinstance(text, str)
    assert "UTC" in instants.legal(value, NY)


@pytest.mark.parametrize("value", [None, "", "2026-11-27", dt.datetime(2026, 11, 27, 17, 21), 3])
def test_what_is_not_an_aware_instant_shows_as_nothing(value):
    assert instants.legal(value, NY) == ""
    assert instants.machine(value) == ""


def test_machine_format_is_iso_to_the_second():
    value = RECEIPT.replace(microsecond=5)
    assert instants.machine(value) == "2026-11-27T22:21:00Z"
    assert instants.machine(value, NY) == "2026-11-27T17:21:00-05:00"


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (dt.timedelta(seconds=20), "under a minute"),
        (dt.timedelta(minutes=27), "27 min"),
        (dt.timedelta(hours=2, minutes=5), "2 h 5 min"),
        (dt.timedelta(hours=2), "2 h"),
        (dt.timedelta(days=3, hours=4, minutes=9), "3 d 4 h"),
        (-dt.timedelta(days=1), "1 d"),
    ],
)
def test_durations_read_as_words(delta, words):
    assert instants.duration(delta) == words


def test_relative_follows_the_one_overdue_rule():
    assert instants.relative(RECEIPT, RECEIPT) == "due in under a minute"
    assert instants.relative(RECEIPT, RECEIPT + dt.timedelta(hours=2)) == "2 h overdue"
    assert instants.relative(RECEIPT, RECEIPT - dt.timedelta(days=3)) == "due in 3 d"
    assert not is_overdue(RECEIPT, RECEIPT)
    assert is_overdue(RECEIPT, RECEIPT + dt.timedelta(microseconds=1))
    assert not is_overdue(None, RECEIPT)


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(1, 1, 1, tzinfo=UTC),
        dt.datetime(1969, 12, 31, 23, 59, tzinfo=UTC),
        dt.datetime(2200, 1, 1, tzinfo=UTC),
        dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ],
)
def test_instants_outside_the_window_are_refused_naming_the_field(value):
    with pytest.raises(InvalidInput) as caught:
        instants.check_window(value, field="occurred_at")
    assert caught.value.field == "occurred_at"
    assert "between 1970 and 2199" in caught.value.message


def test_a_naive_instant_is_refused():
    with pytest.raises(InvalidInput):
        instants.check_window(dt.datetime(2026, 1, 1), field="due_at")


def test_an_event_long_before_the_receipt_is_refused():
    instants.check_not_long_before(RECEIPT - dt.timedelta(days=30), receipt=RECEIPT)
    with pytest.raises(InvalidInput) as caught:
        instants.check_not_long_before(RECEIPT - dt.timedelta(days=400), receipt=RECEIPT)
    assert caught.value.field == "occurred_at"


def test_the_iso_readings_name_the_zone_and_give_utc_beside():
    first = dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first 01:30 in New York
    assert instants.iso_local(first, NY) == "2026-11-01T01:30-04:00 EDT"
    assert instants.iso_utc(RECEIPT) == "2026-11-27T22:21Z"
    assert instants.iso_utc(RECEIPT.replace(second=5, microsecond=9), seconds=True) == "2026-11-27T22:21:05Z"
    assert instants.iso_pair(RECEIPT, "America/New_York") == "2026-11-27T17:21-05:00 EST (2026-11-27T22:21Z)"
    assert instants.iso_pair(None, NY) == instants.iso_local("x", NY) == instants.iso_utc(3) == ""


def test_a_brief_duration_for_tiles():
    assert instants.duration(dt.timedelta(seconds=20), brief=True) == "under 1 min"
    assert instants.duration(dt.timedelta(minutes=27), brief=True) == "27 min"
