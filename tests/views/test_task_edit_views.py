"""The task page's edit form: title, description and priority through the same service as the API; a
stale form says what changed and keeps the input; the timeline shows before and after."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from directives.choices import Priority
from directives.models import RemediationTask, TimelineEntry
from directives.services import tasks as task_services
from tests.selectors.world import NOW, World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def hidden(html: str, form: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)" id="id_{form}_{name}"', html)
    assert match, f"no hidden {name} in the {form} form"
    return match.group(1)


def edit_body(html: str, **fields: str) -> dict[str, str]:
    return {
        "version": hidden(html, "edit", "version"),
        "snapshot": hidden(html, "edit", "snapshot"),
        **fields,
    }


def test_assignee_edits_priority_and_the_page_says_the_ladder_was_replanned(
    client: Any, world: World, engineer: Any
) -> None:
    task = world.soon  # P2, due in 12 hours
    client.force_login(engineer)
    html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "Edit title, description, priority" in html
    assert 'id="id_edit_title"' in html and 'value="Draft the plan"' in html
    response = client.post(
        reverse("task_edit", args=[task.pk]),
        edit_body(html, title="Draft the remediation plan for BIS", description="Two pages", priority="P0"),
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Saved. Priority P2 → P0: the escalation ladder was re-planned." in page
    assert "<h1>Draft the remediation plan for BIS</h1>" in page
    assert "P0 - critical" in page
    assert "Title: “Draft the plan” → “Draft the remediation plan for BIS”" in page
    assert "Priority: P2 → P0; escalation ladder re-planned for the new priority: next check" in page
    task.refresh_from_db()
    assert (task.priority, task.description, task.version) == (Priority.P0, "Two pages", 2)


def test_htmx_edit_returns_the_fragment(client: Any, world: World, engineer: Any) -> None:
    task = world.soon
    client.force_login(engineer)
    html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    response = client.post(
        reverse("task_edit", args=[task.pk]),
        edit_body(html, title="Draft the plan", description="Now with a description", priority="P2"),
        HTTP_HX_REQUEST="true",
    )
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<div id="task-body"') and "<html" not in fragment
    assert "Saved." in fragment and "Description: (empty) → “Now with a description”" in fragment


def test_stale_edit_says_who_changed_what_and_keeps_the_input(
    client: Any, world: World, engineer: Any, legal: Any
) -> None:
    task = world.soon
    client.force_login(engineer)
    html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    task_services.edit_task(task=task, actor=legal, now=NOW, priority=Priority.P1)
    response = client.post(
        reverse("task_edit", args=[task.pk]),
        edit_body(html, title="My better title", description="My notes", priority="P3"),
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "legal-test changed this task while you were working on it" in page
    assert '<th scope="row">Priority</th><td>P2</td><td><strong>P1</strong>' in page
    assert 'value="My better title"' in page and "My notes</textarea>" in page  # nothing lost
    assert '<option value="P3" selected>' in page
    task.refresh_from_db()
    assert (task.title, task.priority) == ("Draft the plan", Priority.P1)
    # submitting again, knowingly, goes through
    again = client.post(
        reverse("task_edit", args=[task.pk]),
        edit_body(page, title="My better title", description="My notes", priority="P3"),
    )
    assert again.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.priority) == ("My better title", Priority.P3)


def test_bad_input_names_the_field_and_stores_nothing(client: Any, world: World, engineer: Any) -> None:
    task = world.soon
    client.force_login(engineer)
    html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    entries = TimelineEntry.objects.filter(task=task).count()
    blank = client.post(reverse("task_edit", args=[task.pk]), edit_body(html, title="  ", priority="P9"))
    assert blank.status_code == 400
    page = blank.content.decode()
    assert "This field is required." in page and "Select a valid choice. P9 is not one" in page
    same = client.post(
        reverse("task_edit", args=[task.pk]), edit_body(html, title="Draft the plan", priority="P2")
    )
    assert same.status_code == 400
    assert "Nothing to change" in same.content.decode()
    assert RemediationTask.objects.get(pk=task.pk).version == task.version
    assert TimelineEntry.objects.filter(task=task).count() == entries


def test_who_may_edit(client: Any, world: World, engineer2: Any, executive: Any, legal: Any) -> None:
    task = world.soon  # assigned to engineer
    for user in (engineer2, executive):
        client.force_login(user)
        html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
        assert "Edit title, description, priority" not in html
        refused = client.post(
            reverse("task_edit", args=[task.pk]), {"title": "x", "priority": "P0", "version": task.version}
        )
        assert refused.status_code == 403
    client.force_login(legal)
    html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "Edit title, description, priority" in html
    verified = client.get(reverse("task_detail", args=[world.verified.pk])).content.decode()
    assert "Edit title, description, priority" not in verified
    assert RemediationTask.objects.get(pk=task.pk).title == "Draft the plan"
