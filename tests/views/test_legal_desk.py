"""Legal's home, the legal desk: what arrived, what is due this week, what is unassigned, as legal reads it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from directives.choices import DeadlineRule, DirectiveStatus
from directives.selectors.legal_desk import legal_desk
from directives.services import directives as directive_services
from tests.factories import AuthorityFactory, make_directive, make_obligation, make_task

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)  # Tuesday 10:00 New York


@pytest.fixture
def desk_world(legal: Any, engineer: Any) -> dict[str, Any]:
    commerce = AuthorityFactory.create(name="Commerce", short_name="BIS", time_zone="America/New_York")
    brussels = AuthorityFactory.create(
        name="European Commission", short_name="EC", time_zone="Europe/Brussels"
    )
    old = make_directive(
        actor=legal, authority=commerce, reference="OLD-1", received_at=NOW - dt.timedelta(days=40)
    )
    directive_services.transition_directive(
        directive=old, to_status=DirectiveStatus.UNDER_REVIEW, actor=legal, now=NOW - dt.timedelta(days=39)
    )
    old.refresh_from_db()
    directive_services.transition_directive(
        directive=old, to_status=DirectiveStatus.IN_EFFECT, actor=legal, now=NOW - dt.timedelta(days=39)
    )
    stale = make_directive(
        actor=legal, authority=commerce, reference="WAITING-2", received_at=NOW - dt.timedelta(days=20)
    )
    new = make_directive(
        actor=legal, authority=brussels, reference="NEW-3", received_at=NOW - dt.timedelta(days=2)
    )
    due_soon = make_obligation(
        new, actor=legal, title="Answer the questionnaire", rule=DeadlineRule.CALENDAR_DAYS, amount=5
    )
    make_obligation(
        new, actor=legal, title="File the annual report", rule=DeadlineRule.CALENDAR_DAYS, amount=60
    )
    missed = make_obligation(
        old, actor=legal, title="Block foreign nationals", rule=DeadlineRule.HOURS, amount=24
    )
    make_task(
        old, actor=legal, title="Unassigned patch", obligation=missed, due_at=NOW + dt.timedelta(days=3)
    )
    make_task(old, actor=legal, title="Assigned later", assignee=engineer, due_at=NOW + dt.timedelta(days=30))
    make_task(new, actor=legal, title="Overdue audit", assignee=engineer, due_at=NOW - dt.timedelta(hours=5))
    return {"old": old, "stale": stale, "new": new, "due_soon": due_soon, "missed": missed}


def test_the_desk_selects_what_arrived_what_is_due_and_what_is_unassigned(
    desk_world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(5):
        desk = legal_desk(now=NOW)
        assert [d.reference for d in desk.arrived.rows] == ["NEW-3", "WAITING-2"]
        assert [(r.item.title, r.overdue) for r in desk.obligations_due.rows] == [
            ("Block foreign nationals", True),
            ("Answer the questionnaire", False),
        ]
        assert [(r.item.title, r.overdue) for r in desk.tasks_due.rows] == [
            ("Overdue audit", True),
            ("Unassigned patch", False),
        ]
        assert [t.title for t in desk.unassigned_tasks.rows] == ["Unassigned patch"]
        # The questionnaire and the annual report have no task; the missed obligation has one.
        assert [r.item.title for r in desk.uncovered_obligations.rows] == [
            "Answer the questionnaire",
            "File the annual report",
        ]
    assert desk.overdue_count == 2


def test_home_sends_legal_to_the_desk_which_reads_in_words(
    client: Any, legal: Any, desk_world: dict[str, Any]
) -> None:
    client.force_login(legal)
    with time_machine.travel(NOW, tick=False):
        home = client.get(reverse("home"))
        assert home.status_code == 302 and home["Location"] == reverse("legal_desk")
        page = client.get(home["Location"]).content.decode()
    assert "<h1>Legal desk</h1>" in page
    # Received in the authority's zone with UTC beside it, in words with the weekday.
    assert "Sun 29 Nov 2026, 16:00 CET · 15:00 UTC" in page
    assert "NEW-3" in page and "WAITING-2" in page and "OLD-1" in page  # OLD-1 through its missed obligation
    assert page.count("overdue</span>") == 2  # the missed obligation and the overdue task
    assert "Unassigned patch" in page
    assert page.count('href="/directives/"') >= 1  # the directive list is one click away
    assert "2026-12-01T" not in page.replace('datetime="2026-12-01T', "")  # ISO only in <time datetime>


def test_the_desk_is_for_roles_that_may_view(client: Any, desk_world: dict[str, Any]) -> None:
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("legal_desk")).status_code == 403


def test_an_empty_desk_says_so(client: Any, legal: Any) -> None:
    client.force_login(legal)
    page = client.get(reverse("legal_desk")).content.decode()
    assert "Nothing arrived in the last 7 days, and nothing awaits review." in page
    assert "Every open task has an assignee." in page
