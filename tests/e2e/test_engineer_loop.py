"""The engineer's loop in the browser, with no API call and no admin page: find the task in the task list
(search, filter, sort), raise its priority (the escalation ladder is re-planned and the timeline says so),
attach evidence before resolving, resolve; a second engineer verifies. At 1366 px, then the task page and
the list at 390 px (no sideways page scroll: the table scrolls inside its card). axe finds no serious or
critical violation; the console shows no CSP violation."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from directives.choices import EntryKind, Priority, TaskStatus
from directives.models import Evidence, RemediationTask, TimelineEntry
from tests.e2e.conftest import ConsoleLog, login_as
from tests.e2e.test_engineer_and_executive import assert_accessible
from tests.factories import make_directive, make_product, make_task

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n% red-team regression suite: 212 of 212 green\n%%EOF\n"
NO_PAGE_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def open_as(browser: Any, live_server: Any, console: ConsoleLog, user: Any, width: int = 1366) -> Any:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, timezone_id="America/New_York"
    )
    page = context.new_page()
    page.on("console", lambda msg: console.messages.append(f"{msg.type}: {msg.text}"))
    page.set_default_timeout(10_000)
    login_as(page, live_server, user)
    return page


def test_edit_priority_attach_evidence_resolve_and_a_second_engineer_verifies(
    browser: Any, live_server: Any, console: ConsoleLog, legal: Any, engineer: Any, engineer2: Any
) -> None:
    now = timezone.now()
    directive = make_directive(
        actor=legal,
        received_at=now - dt.timedelta(hours=3),
        products=[make_product("Fable 5")],
        title="Order to block foreign nationals",
        reference="BIS-E2E-7",
    )
    task = make_task(
        directive,
        actor=legal,
        now=now - dt.timedelta(hours=2),
        title="Patch the guardrail jailbreak",
        assignee=engineer,
        priority=Priority.P2,
        due_at=now + dt.timedelta(hours=6),
    )
    make_task(
        directive, actor=legal, now=now - dt.timedelta(hours=2), title="Draft the plan", assignee=engineer2
    )
    assert task.due_at is not None
    assert task.next_escalation_at == task.due_at - dt.timedelta(days=1)  # the P2 ladder: a day ahead

    # The engineer opens the task list from the header, searches, filters and sorts; the URL keeps it all.
    eng = open_as(browser, live_server, console, engineer)
    eng.goto("/")
    eng.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks", exact=True).click()
    expect(eng.get_by_role("heading", name="All tasks")).to_be_visible()
    eng.get_by_label("Search").fill("guardrail")
    eng.get_by_label("Assignee").select_option("me")
    eng.get_by_role("button", name="Filter").click()
    expect(eng).to_have_url(re.compile(r"search=guardrail.*assignee=me"))
    expect(eng.locator("#results")).to_contain_text("1 task matches the filters")
    eng.get_by_role("link", name="Due", exact=True).click()
    expect(eng).to_have_url(re.compile(r"ordering=due_at"))
    expect(eng.locator("th[aria-sort=ascending]")).to_contain_text("Due")
    assert_accessible(eng, "task list")
    eng.get_by_role("link", name="Patch the guardrail jailbreak").click()
    expect(eng.get_by_role("heading", name="Patch the guardrail jailbreak")).to_be_visible()

    # Raise the priority: the ladder is re-planned, and the page and the timeline say so.
    eng.get_by_text("Edit title, description, priority").click()
    eng.get_by_label("Priority").select_option("P0")
    eng.get_by_role("button", name="Save changes").click()
    expect(eng.get_by_role("status")).to_contain_text(
        "Priority P2 → P0: the escalation ladder was re-planned."
    )
    expect(eng.locator(".task-details")).to_contain_text("P0 - critical")
    expect(eng.locator(".task-timeline")).to_contain_text("Priority: P2 → P0; escalation ladder re-planned")
    task.refresh_from_db()
    assert task.due_at is not None
    assert task.priority == Priority.P0 and task.next_escalation_at == task.due_at - dt.timedelta(hours=1)

    # Attach evidence while the work goes on, before resolving.
    attach = eng.locator("#attach-evidence")
    attach.locator("summary").click()
    attach.get_by_label("Links (one per line)").fill("https://ci.example/run/4711")
    eng.set_input_files(
        "#id_evidence_evidence_files",
        files=[{"name": "red-team.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    attach.get_by_label("What it shows (optional)").fill("Regression suite green")
    eng.get_by_role("button", name="Attach", exact=True).click()
    expect(eng.get_by_role("status")).to_contain_text("2 pieces of evidence attached.")
    sha = hashlib.sha256(PDF).hexdigest()
    expect(eng.locator(".evidence-list")).to_contain_text(sha)
    expect(eng.locator(".task-timeline")).to_contain_text(f"red-team.pdf (SHA-256 {sha})")
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and Evidence.objects.filter(task=task).count() == 2
    assert_accessible(eng, "task page with evidence")

    # Resolve.
    eng.get_by_text("Resolve with evidence").click()
    eng.get_by_label("Resolution").fill("Classifier retrained; the bypass no longer works.")
    eng.get_by_role("button", name="Resolve", exact=True).click()
    expect(eng.get_by_role("status")).to_contain_text("A second person must verify it.")
    expect(eng.get_by_text("You resolved this task, so someone else must verify it.")).to_be_visible()
    task.refresh_from_db()
    assert task.status == TaskStatus.RESOLVED and task.resolved_by == engineer

    # A second engineer finds it in the list (resolved) and verifies it.
    eng2 = open_as(browser, live_server, console, engineer2)
    eng2.goto("/tasks/?status=resolved")
    eng2.get_by_role("link", name="Patch the guardrail jailbreak").click()
    expect(eng2.locator(".evidence-list")).to_contain_text("red-team.pdf")
    eng2.get_by_label("Note (optional)").last.fill("Re-ran the suite myself: green.")
    eng2.get_by_role("button", name="Verify", exact=True).click()
    expect(eng2.get_by_role("status")).to_contain_text("Verified.")
    expect(eng2.locator(".task-badges")).to_contain_text("Verified")
    task.refresh_from_db()
    assert task.status == TaskStatus.VERIFIED and task.verified_by == engineer2
    kinds = list(TimelineEntry.objects.filter(task=task).order_by("seq").values_list("kind", flat=True))
    assert kinds.index(EntryKind.EVIDENCE_ADDED) < kinds.index(EntryKind.TASK_RESOLVED)

    # On a phone: the task page and the list never scroll sideways; the list's table scrolls in its card.
    phone = open_as(browser, live_server, console, engineer2, width=390)
    phone.goto(f"/tasks/{task.pk}/")
    expect(phone.get_by_role("heading", name="Patch the guardrail jailbreak")).to_be_visible()
    assert phone.evaluate(NO_PAGE_SCROLL)
    phone.goto("/tasks/")
    expect(phone.locator("#results")).to_contain_text("2 tasks")
    assert phone.evaluate(NO_PAGE_SCROLL)
    wrap = phone.locator("#results .table-wrap")
    assert wrap.evaluate("(el) => getComputedStyle(el).overflowX") in ("auto", "scroll")
    assert RemediationTask.objects.count() == 2

    assert console.csp_violations == []
    assert [m for m in console.errors if "favicon" not in m] == []
