"""PATCH /api/v1/tasks/{id}/: the editable fields with version or If-Match, through the page's service."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from directives.choices import Priority
from directives.models import RemediationTask, TimelineEntry
from tests.factories import make_directive, make_task

from .conftest import ET_FRIDAY_1721, client_for

NOW = ET_FRIDAY_1721 + __import__("datetime").timedelta(minutes=30)

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(legal: Any, engineer: Any) -> Any:
    with time_machine.travel(NOW, tick=False):
        directive = make_directive(actor=legal)
        yield make_task(
            directive, actor=legal, assignee=engineer, priority=Priority.P2, due_at=NOW.replace(day=30)
        )


def test_patch_priority_with_if_match(task: Any, engineer: Any) -> None:
    client = client_for(engineer)
    with time_machine.travel(NOW, tick=False):
        response = client.patch(
            f"/api/v1/tasks/{task.pk}/", {"priority": "P0"}, format="json", HTTP_IF_MATCH='"1"'
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["priority"], body["version"], body["escalation_level"]) == ("P0", 2, 0)
    assert response["ETag"] == '"2"'
    entry = TimelineEntry.objects.filter(task=task).order_by("-seq").first()
    assert entry is not None
    assert "Priority: P2 → P0; escalation ladder re-planned" in entry.summary
    task.refresh_from_db()
    assert body["next_escalation_at"] == task.next_escalation_at.isoformat().replace("+00:00", "Z")


def test_patch_title_and_description_with_version_in_body(task: Any, legal: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client_for(legal).patch(
            f"/api/v1/tasks/{task.pk}/",
            {"title": "Patch the guardrail", "description": "See the runbook", "version": 1},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["description"]) == (
        "Patch the guardrail",
        "See the runbook",
    )


def test_stale_patch_is_409_and_changes_nothing(task: Any, engineer: Any, legal: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        client_for(legal).patch(
            f"/api/v1/tasks/{task.pk}/", {"title": "Legal's", "version": 1}, format="json"
        )
        stale = client_for(engineer).patch(
            f"/api/v1/tasks/{task.pk}/", {"priority": "P0"}, format="json", HTTP_IF_MATCH='"1"'
        )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version" and stale.json()["current"]["title"] == "Legal's"
    assert RemediationTask.objects.get(pk=task.pk).priority == Priority.P2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": "P9", "version": 1}, "priority"),
        ({"title": "", "version": 1}, "title"),
        ({"title": 5, "version": 1}, "title"),
        ({"title": "x" * 301, "version": 1}, "title"),
        ({"version": 1}, None),
    ],
)
def test_bad_patch_is_400_naming_the_field(
    task: Any, engineer: Any, body: dict[str, Any], field: Any
) -> None:
    response = client_for(engineer).patch(f"/api/v1/tasks/{task.pk}/", body, format="json")
    assert response.status_code == 400, response.json()
    if field:
        assert response.json()["field"] == field
    assert RemediationTask.objects.get(pk=task.pk).version == 1


def test_a_patch_without_the_version_read_is_428_naming_it(task: Any, engineer: Any) -> None:
    response = client_for(engineer).patch(f"/api/v1/tasks/{task.pk}/", {"priority": "P0"}, format="json")
    assert response.status_code == 428, response.json()
    assert response.json()["field"] == "version"
    assert RemediationTask.objects.get(pk=task.pk).version == 1


def test_only_the_assignee_or_legal_may_patch(task: Any, engineer2: Any, executive: Any) -> None:
    for user in (engineer2, executive):
        response = client_for(user).patch(
            f"/api/v1/tasks/{task.pk}/", {"title": "x", "version": 1}, format="json"
        )
        assert response.status_code == 403
    assert RemediationTask.objects.get(pk=task.pk).title == "Patch the jailbreak"


def test_patch_is_in_the_schema(engineer: Any) -> None:
    schema = client_for(engineer).get("/api/schema/", HTTP_ACCEPT="application/json", format=None).json()
    operation = schema["paths"]["/api/v1/tasks/{id}/"]["patch"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][body]["properties"]) == {
        "title",
        "description",
        "priority",
        "version",
    }
    assert {"200", "400", "403", "409"} <= set(operation["responses"])
