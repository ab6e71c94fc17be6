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
        # Three in this minute: nothing more until the next one, when they start to slide out.
        assert refused["Retry-After"] == "61"

        clock.move_to(START + dt.timedelta(seconds=90))
        # Half of the previous minute is still within the last 60 s: 1.5 of 3 counted, room for 2 more.
        assert _statuses(client, 3) == [200, 200, 429]
        assert client.get("/api/v1/me/")["Retry-After"] == "11"

        clock.move_to(START + dt.timedelta(seconds=90 + 11))
        assert _statuses(client, 1) == [200]


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
