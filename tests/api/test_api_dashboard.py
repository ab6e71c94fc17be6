"""``/api/v1/dashboard/``: the executive summary is served from the dashboard's snapshot (issue 7), so a
client polling it costs what a cached page costs, and the API and the page always show the same figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from tests.selectors.world import NOW, World, add_noise
from tests.views.test_dashboard_views import HIT, MISS, tile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


URL = "/api/v1/dashboard/"
# An API request renders no page header: one query fewer than a page's (the header's zone and unread count).
API_HIT, API_MISS = HIT - 1, MISS - 1


def test_summary_is_computed_once_then_served_from_the_snapshot(
    client: Any,
    world: World,
    legal: Any,
    engineer: Any,
    engineer2: Any,
    executive: Any,
    time_machine: Any,
    django_assert_num_queries: Any,
) -> None:
    client.force_login(executive)
    with django_assert_num_queries(API_MISS):  # no snapshot yet: this request computes it
        first = client.get(URL)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/json"
    body = first.json()
    assert body["generated_at"] == "2026-11-29T15:00:00Z"
    assert body["tiles"]["tasks_open"] > 0
    assert {p["reference"] for p in body["progress"]} >= {world.order.reference, world.late.reference}

    with django_assert_num_queries(API_HIT):  # the same figures, from the cache: no aggregate runs
        assert client.get(URL).json() == body
    with django_assert_num_queries(HIT):  # the page reads the same snapshot
        page = client.get(reverse("dashboard")).content.decode()
    assert tile(page, "tasks-open") == str(body["tiles"]["tasks_open"])

    add_noise(legal=legal, engineer=engineer, engineer2=engineer2, directives=6, tasks=6)
    time_machine.shift(dt.timedelta(seconds=settings.DOCKET_DASHBOARD_MIN_REFRESH_SECONDS))
    with django_assert_num_queries(API_MISS):  # a write, then the minimum interval: recomputed
        after = client.get(URL).json()
    assert after["tiles"]["tasks_open"] > body["tiles"]["tasks_open"]
    assert after["generated_at"] == "2026-11-29T15:00:10Z"


def test_summary_is_refused_without_a_role(client: Any, world: World) -> None:
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(URL)
    assert response.status_code == 403
    assert "tiles" not in response.content.decode()
