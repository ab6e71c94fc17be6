"""The executive dashboard page: who may see it, what it shows, the htmx fragment, a fixed query count."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from tests.selectors.world import NOW, World, add_noise, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def world(legal: Any, engineer: Any, engineer2: Any) -> World:
    return build_world(legal=legal, engineer=engineer, engineer2=engineer2)


def tile(html: str, name: str) -> str:
    match = re.search(rf'id="tile-{name}"[^>]*>([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


@pytest.mark.parametrize("role", ["executive", "auditor", "legal", "engineer"])
def test_every_role_sees_the_dashboard(client: Any, world: World, role: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200


def test_dashboard_shows_the_numbers(client: Any, world: World, executive: Any) -> None:
    client.force_login(executive)
    html = client.get(reverse("dashboard")).content.decode()
    assert tile(html, "directives-in-effect") == "1"
    assert tile(html, "obligations-open") == "2"
    assert tile(html, "obligations-missed") == "1"
    assert tile(html, "tasks-open") == "5"
    assert tile(html, "tasks-overdue") == "2"
    assert tile(html, "tasks-escalated") == "1"
    assert tile(html, "median-shutdown") == "27 min"
    # progress with a text label beside the colour, and the rule written on the page
    assert '<span class="badge badge--red">Red</span>' in html
    assert '<span class="badge badge--amber">Amber</span>' in html
    assert '<span class="badge badge--green">Green</span>' in html
    assert "1 missed obligation; 1 overdue P0/P1 task" in html
    assert "How the colour is set." in html and "overdue P0/P1 task" in html
    # matrix, deadlines, escalations, instruments
    assert "Who can use what" in html and "Suspended" in html and "Available" in html
    assert "Draft the plan" in html and "Answer the questionnaire" in html
    assert "Escalated to level 1: Red-team suite" in html and "Escalated long ago" not in html
    assert "Initiative" in html and "Focus" in html and "Export control" in html
    # charts: data as JSON, never an inline script
    assert '<script id="dashboard-chart-data" type="application/json">' in html
    assert re.search(r"<script(?![^>]*(src=|application/json))", html) is None
    assert "chart-4.6.1.umd.min.js" in html and "js/dashboard.js" in html
    assert 'hx-trigger="every 60s"' in html


def test_sweep_tile_without_and_with_a_sweep(client: Any, world: World, executive: Any) -> None:
    client.force_login(executive)
    html = client.get(reverse("dashboard")).content.decode()
    from directives.services import escalation

    if getattr(escalation, "last_sweep", None) is None or escalation.last_sweep() is None:
        assert tile(html, "sweep-age") == "no sweep yet"
    if hasattr(escalation, "sweep"):
        escalation.sweep(now=NOW)
        html = client.get(reverse("dashboard")).content.decode()
        assert tile(html, "sweep-age") == "under 1 min ago"


def test_htmx_refresh_returns_only_the_live_fragment(client: Any, world: World, executive: Any) -> None:
    client.force_login(executive)
    response = client.get(reverse("dashboard"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<div id="dashboard-live"')
    assert 'id="tile-tasks-open"' in html and "dashboard-chart-data" in html


def test_roleless_user_is_refused(client: Any, world: World) -> None:
    client.force_login(UserFactory(username="norole"))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403
    assert "no role" in response.content.decode()


def test_empty_dashboard_says_so(client: Any, executive: Any) -> None:
    client.force_login(executive)
    html = client.get(reverse("dashboard")).content.decode()
    assert "No open directive." in html and "Nothing due in the next 7 days." in html
    assert "No escalation in the last 24 hours." in html and "No directive logged yet." in html
    assert tile(html, "median-shutdown") == "—"


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_page_query_counts_do_not_grow(
    client: Any, world: World, legal: Any, engineer: Any, engineer2: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(engineer)
    urls = [
        reverse("dashboard"),
        reverse("my_tasks"),
        reverse("task_list"),
        reverse("task_detail", args=[world.resolved.pk]),
    ]
    small = {url: _count(client, url) for url in urls}
    add_noise(legal=legal, engineer=engineer, engineer2=engineer2, directives=5, tasks=6)
    for url in urls:
        with django_assert_num_queries(small[url]):
            client.get(url)
