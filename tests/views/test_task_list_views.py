"""The task list: text search, every filter, sortable columns, the filters in the URL, and a Tasks link in
the header for every role."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from directives.models import RemediationTask
from tests.factories import make_product, make_task
from tests.selectors.world import NOW, World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def rows(client: Any, **query: Any) -> list[str]:
    html = client.get(reverse("task_list"), query).content.decode()
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<a href="/tasks/\d+/">([^<]+)</a>', body)


def test_search_finds_words_in_title_description_directive_and_product(
    client: Any, world: World, engineer: Any, legal: Any
) -> None:
    make_task(world.quiet, actor=legal, title="Answer the questionnaire", description="Ask the Mythos team")
    client.force_login(engineer)
    assert rows(client, search="jailbreak") == ["Patch the jailbreak"]
    assert rows(client, search="PATCH JAILBREAK") == ["Patch the jailbreak"]  # every word, any case
    assert rows(client, search="mythos") == ["Answer the questionnaire"]  # in the description
    assert set(rows(client, search="DOD-1")) == {"Low priority overdue"}  # the directive's reference
    html = client.get(reverse("task_list"), {"search": "nothing like this"}).content.decode()
    assert "No tasks match these filters" in html and "clear them" in html


def test_product_escalated_and_combined_filters(client: Any, world: World, engineer: Any, legal: Any) -> None:
    make_task(world.order, actor=legal, title="Gate Fable 5", product=make_product("Fable 5"))
    client.force_login(engineer)
    html = client.get(reverse("task_list")).content.decode()
    option = re.search(r'<option value="(\d+)">Fable 5</option>', html)
    assert option is not None
    fable = option.group(1)
    assert rows(client, product=fable) == ["Gate Fable 5"]
    assert rows(client, escalated="on") == ["Red-team suite"]
    assert rows(client, overdue="on", assignee="me") == ["Patch the jailbreak"]
    assert rows(client, priority="P0", status="in_progress") == ["Patch the jailbreak"]


def test_columns_sort_both_ways_and_keep_the_filters(client: Any, world: World, engineer: Any) -> None:
    client.force_login(engineer)
    by_title = rows(client, ordering="title")
    assert by_title == sorted(by_title, key=str) and len(by_title) == 7
    assert rows(client, ordering="-title") == list(reversed(by_title))
    html = client.get(reverse("task_list"), {"status": "open", "ordering": "title"}).content.decode()
    # the sorted column says so, and its link turns the order round; the filter is kept
    assert (
        '<th scope="col" aria-sort="ascending"><a class="sort" href="?status=open&amp;ordering=-title"'
        in html
    )
    assert '<th scope="col" aria-sort="none"><a class="sort" href="?status=open&amp;ordering=due_at"' in html
    by_priority = rows(client, ordering="priority")
    assert by_priority[:2] == ["Patch the jailbreak", "Block API"] or by_priority[:2] == [
        "Block API",
        "Patch the jailbreak",
    ]


def test_a_bad_value_is_named_and_filters_nothing(client: Any, world: World, engineer: Any) -> None:
    client.force_login(engineer)
    response = client.get(
        reverse("task_list"), {"status": "nonsense", "ordering": "password", "priority": "P0"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice. nonsense is not one of the available choices." in html
    assert "Select a valid choice. password is not one of the available choices." in html
    assert set(rows(client, status="nonsense", priority="P0")) == {"Patch the jailbreak", "Block API"}


def test_every_role_has_a_tasks_link(
    client: Any, world: World, legal: Any, engineer: Any, executive: Any, auditor: Any
) -> None:
    for user in (legal, engineer, executive, auditor):
        client.force_login(user)
        html = client.get(reverse("home"), follow=True).content.decode()
        assert '<a href="/tasks/" >Tasks</a>' in html or '<a href="/tasks/">Tasks</a>' in html, user
        listing = client.get(reverse("task_list")).content.decode()
        assert '<a href="/tasks/" aria-current="page">Tasks</a>' in listing
        assert len(rows(client)) == RemediationTask.objects.count()
