"""The API's rate limits count requests in constant space (directives/api/throttling.py): two counters per
client, the current minute's and the one before, the previous one weighed by how much of it is still
within the last minute. What a client sees: the same 429 and Retry-After as before, at the same rates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache

from directives.api.throttling import UserRateThrottle

from .conftest import client_for

# A minute boundary: the windows of a per-minute rate start at whole minutes since the epoch.
START = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def three_a_minute(monkeypatch: Any) -> None:
    monkeypatch.setattr(
        UserRateThrottle, "THROTTLE_RATES", {**UserRateThrottle.THROTTLE_RATES, "user": "3/min"}
    )


def _statuses(client: Any, n: int) -> list[int]:
    return [client.get("/api/v1/me/").status_code for _ in range(n)]


@pytest.mark.django_db
def test_a_client_at_its_rate_waits_as_its_last_minute_slides_out(legal: Any, three_a_minute: None) -> None:
    client = client_for(legal)
    with time_machine.travel(START, tick=False) as clock:
        assert _statuses(client, 3) == [200, 200, 200]
        refused = client.get("/api/v1/me/")
        assert refused.status_code == 429
        assert refused.json()["code"] == "throttled"
        # Three in this minute: nothing more until, in the next one, a whole request has slid out
        # (3 x 40/60 = 2 still counted at 80 s).
        assert refused["Retry-After"] == "80"
        clock.move_to(START + dt.timedelta(seconds=79))
        assert _statuses(client, 1) == [429]

        clock.move_to(START + dt.timedelta(seconds=90))
        # Half of the previous minute is still within the last 60 s: 1.5 of 3, counted as 2; room for 1.
        assert _statuses(client, 2) == [200, 429]
        assert client.get("/api/v1/me/")["Retry-After"] == "10"

        clock.move_to(START + dt.timedelta(seconds=90 + 10))
        assert _statuses(client, 1) == [200]


@pytest.mark.django_db
def test_a_burst_across_a_minute_boundary_is_refused_at_the_rate(legal: Any, three_a_minute: None) -> None:
    """One request just before the minute and three just after it: four within a second, at 3 a minute."""
    client = client_for(legal)
    with time_machine.travel(START - dt.timedelta(seconds=0.2), tick=False) as clock:
        assert _statuses(client, 1) == [200]
        clock.move_to(START + dt.timedelta(seconds=0.1))
        assert _statuses(client, 3) == [200, 200, 429]


@pytest.mark.django_db
def test_what_is_kept_per_client_is_a_count_not_a_list_of_requests(legal: Any) -> None:
    client = client_for(legal)
    with time_machine.travel(START + dt.timedelta(seconds=5), tick=False):
        assert _statuses(client, 25) == [200] * 25
        window = int(START.timestamp()) // 60
        assert cache.get(f"throttle_user_{legal.pk}:{window}") == 25
        assert cache.get(f"throttle_user_{legal.pk}") is None  # DRF's list of timestamps is not kept


@pytest.mark.django_db
def test_clients_are_counted_apart(legal: Any, engineer: Any, three_a_minute: None) -> None:
    with time_machine.travel(START, tick=False):
        assert _statuses(client_for(legal), 4) == [200, 200, 200, 429]
        assert _statuses(client_for(engineer), 3) == [200, 200, 200]
