"""GET /api/v1/tasks/ takes the task page's filters under the same names and values."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from directives.models import RemediationTask
from tests.selectors.world import NOW, World

from .conftest import client_for

pytestmark = pytest.mark.django_db


def titles(client: Any, **query: Any) -> list[str]:
    with time_machine.travel(NOW, tick=False):
        response = client.get("/api/v1/tasks/", query)
    assert response.status_code == 200, response.json()
    return [t["title"] for t in response.json()["results"]]


def test_the_pages_filters_in_the_api(world: World, engineer: Any, engineer2: Any) -> None:
    client = client_for(engineer)
    assert titles(client, search="jailbreak") == ["Patch the jailbreak"]
    assert set(titles(client, search="DOD-1")) == {"Low priority overdue"}
    assert set(titles(client, overdue="true")) == {"Patch the jailbreak", "Low priority overdue"}
    assert titles(client, escalated="true") == ["Red-team suite"]
    assert len(titles(client, escalated="false")) == RemediationTask.objects.count() - 1
    assert set(titles(client, assignee="me", status="open")) == {"Draft the plan", "Red-team suite"}
    assert set(titles(client, assignee=str(engineer2.pk))) == {"Federal release", "Low priority overdue"}
    assert titles(client, assignee="none") == []
    by_title = titles(client, ordering="-title")
    assert by_title == sorted(by_title, reverse=True)


def test_a_bad_assignee_is_a_400(world: World, engineer: Any) -> None:
    response = client_for(engineer).get("/api/v1/tasks/", {"assignee": "everyone"})
    assert response.status_code == 400
    assert response.json()["field"] == "assignee"


def test_the_filters_are_in_the_schema(engineer: Any) -> None:
    schema = client_for(engineer).get("/api/schema/", HTTP_ACCEPT="application/json", format=None).json()
    names = {p["name"] for p in schema["paths"]["/api/v1/tasks/"]["get"]["parameters"]}
    assert {
        "search",
        "status",
        "priority",
        "assignee",
        "directive",
        "product",
        "overdue",
        "escalated",
        "ordering",
        "page",
    } <= names
