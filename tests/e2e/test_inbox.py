"""An engineer finds in their inbox the message sent when legal gave them a task, sees the unread count in
the header, follows the message's link to the task, and reads its due time in the zone they choose in
Settings (with the authority's beside it). No API call, no admin page; the strict CSP holds."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from directives.choices import Priority
from directives.models import Preference
from tests.e2e.conftest import ConsoleLog, login_as
from tests.factories import make_directive, make_task

# The live server's flush would delete the roles and audiences the migrations created; put them back.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DUE = dt.datetime(2027, 1, 15, 14, 0, tzinfo=dt.UTC)  # Fri 15 Jan 2027, 09:00 EST · 15:00 CET


def test_the_assignee_follows_the_message_to_the_task_and_reads_it_in_their_zone(
    page: Any, live_server: Any, console: ConsoleLog, legal: Any, engineer: Any
) -> None:
    now = timezone.now()
    directive = make_directive(
        actor=legal, received_at=now - dt.timedelta(hours=1), reference="BIS-INBOX-1", title="Order to block"
    )
    task = make_task(
        directive,
        actor=legal,
        now=now - dt.timedelta(minutes=30),
        title="Block foreign nationals at sign-up",
        assignee=engineer,
        priority=Priority.P1,
        due_at=DUE,
        notify_assignee=True,
    )

    login_as(page, live_server, engineer)
    page.goto("/tasks/mine/")
    inbox_link = page.locator("#inbox-link")
    expect(inbox_link).to_contain_text("Inbox")
    expect(inbox_link.locator(".inbox-count")).to_have_text("1")
    expect(inbox_link.locator(".inbox-count")).to_have_attribute("aria-label", "1 unread")

    inbox_link.click()
    expect(page.get_by_role("heading", name="Inbox", exact=True)).to_be_visible()
    message = page.locator(".inbox__item").first
    expect(message).to_contain_text("[Docket] Assigned to you: Block foreign nationals at sign-up")
    expect(message).to_contain_text("Unread")
    expect(message).to_contain_text("due Fri 15 Jan 2027, 09:00 EST")  # words, not ISO

    message.get_by_role("link", name="Open Task: Block foreign nationals at sign-up").click()
    expect(page).to_have_url(re.compile(rf"/tasks/{task.pk}/$"))
    expect(page.get_by_role("heading", name="Block foreign nationals at sign-up")).to_be_visible()
    expect(page.locator("#inbox-link .inbox-count")).to_have_count(0)  # read by following it
    due = page.locator("time.when__local").first
    expect(due).to_have_text("Fri 15 Jan 2027, 09:00 EST")
    expect(due).to_have_attribute("datetime", "2027-01-15T14:00:00Z")

    # Settings: the engineer works from Brussels.
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Time zone for due dates and reminders").select_option("Europe/Brussels")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Due dates and reminders are now shown in Europe/Brussels."
    )
    assert Preference.objects.get(user=engineer).time_zone == "Europe/Brussels"

    page.goto(f"/tasks/{task.pk}/")
    expect(page.locator("time.when__local").first).to_have_text("Fri 15 Jan 2027, 15:00 CET · 09:00 EST")

    page.goto("/inbox/")
    expect(page.locator(".inbox__item").first).to_contain_text("Read ")
    expect(page.get_by_role("button", name="Mark all read")).to_have_count(0)
    assert console.csp_violations == [] and console.errors == []
