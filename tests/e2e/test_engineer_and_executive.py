"""An engineer resolves a task with evidence, another engineer verifies it, and the executive dashboard's
numbers follow. axe-core finds no serious or critical violation on these pages; the console shows no
CSP violation."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from directives.choices import Priority, TaskStatus
from directives.models import RemediationTask
from tests.e2e.conftest import ConsoleLog, login_as
from tests.factories import make_directive, make_product, make_task

# The live server's flush would delete the roles and audiences the migrations created; put them back.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHART_DRAWN = """() => !!Chart.getChart(document.querySelector("canvas[data-chart='opened-resolved']"))"""
PDF = b"%PDF-1.4\n% CI run 4711: jailbreak regression suite green\n%%EOF\n"


@pytest.fixture(autouse=True)
def dashboard_follows_each_write(settings: Any) -> None:
    """The dashboard serves a snapshot of its figures and, after a write, recomputes it at most every
    DOCKET_DASHBOARD_MIN_REFRESH_SECONDS (10 s by default). A browser cannot move the live server's clock,
    and these steps take a few seconds each, so the interval is 0 here: each refresh after a write
    recomputes, which is the snapshot's other rule (a new generation is never served stale once the
    interval has passed) tested end to end. The interval itself is tested with time-machine in
    tests/views/test_dashboard_views.py."""
    settings.DOCKET_DASHBOARD_MIN_REFRESH_SECONDS = 0
    cache.clear()  # the live server shares this process's cache: no snapshot from an earlier test


def open_as(browser: Any, live_server: Any, console: ConsoleLog, user: Any) -> Any:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, timezone_id="America/New_York"
    )
    page = context.new_page()
    page.on("console", lambda msg: console.messages.append(f"{msg.type}: {msg.text}"))
    page.set_default_timeout(10_000)
    login_as(page, live_server, user)
    return page


def tiles(page: Any) -> dict[str, int]:
    page.goto("/dashboard/")
    values = {}
    for name in ("tasks-open", "tasks-awaiting", "tasks-overdue"):
        values[name] = int(page.locator(f"#tile-{name}").inner_text().strip())
    data = json.loads(page.locator("#dashboard-chart-data").text_content())
    values["resolved-30d"] = sum(data["openedVsResolved"]["resolved"])
    return values


def assert_accessible(page: Any, what: str) -> None:
    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{what}: {bad}"


def test_resolve_verify_and_the_dashboard_follows(
    page: Any,
    browser: Any,
    live_server: Any,
    console: ConsoleLog,
    legal: Any,
    engineer: Any,
    engineer2: Any,
    executive: Any,
) -> None:
    now = timezone.now()
    directive = make_directive(
        actor=legal,
        received_at=now - dt.timedelta(hours=3),
        products=[make_product("Fable 5")],
        title="Order to block foreign nationals",
        reference="BIS-E2E-1",
    )
    task = make_task(
        directive,
        actor=legal,
        now=now - dt.timedelta(hours=2),
        title="Patch the guardrail jailbreak",
        assignee=engineer,
        priority=Priority.P1,
        due_at=now + dt.timedelta(days=1),
    )

    # The executive reads the tiles before.
    login_as(page, live_server, executive)
    before = tiles(page)
    assert before["tasks-open"] == 1 and before["tasks-awaiting"] == 0
    expect(page.locator("#dashboard-as-of")).to_contain_text("Figures as of")
    assert page.evaluate(CHART_DRAWN)
    assert_accessible(page, "dashboard")

    # The engineer finds the task on their board and resolves it with a link and a file.
    eng = open_as(browser, live_server, console, engineer)
    eng.goto("/tasks/mine/")
    expect(eng.get_by_role("heading", name="My tasks", exact=True)).to_be_visible()
    assert_accessible(eng, "my tasks")
    eng.get_by_role("link", name="Patch the guardrail jailbreak").first.click()
    expect(eng.get_by_role("heading", name="Patch the guardrail jailbreak")).to_be_visible()
    assert_accessible(eng, "task page")
    eng.get_by_text("Resolve with evidence").click()
    eng.get_by_label("Resolution").fill("Safety classifier retrained; the bypass no longer works.")
    eng.get_by_label("Evidence links (one per line)").fill("https://ci.example/run/4711")
    eng.set_input_files(
        "#id_resolve_evidence_files",
        files=[{"name": "ci-report.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    eng.get_by_role("button", name="Resolve", exact=True).click()
    expect(eng.get_by_role("status")).to_contain_text("Resolved with 2 piece(s) of evidence")
    expect(eng.locator(".evidence-list")).to_contain_text(hashlib.sha256(PDF).hexdigest())
    expect(eng.get_by_text("You resolved this task, so someone else must verify it.")).to_be_visible()
    assert eng.get_by_role("button", name="Verify").count() == 0
    assert_accessible(eng, "task page after resolving")

    task.refresh_from_db()
    assert task.status == TaskStatus.RESOLVED and task.resolved_by == engineer

    # The open dashboard refreshes its live fragment by itself (hx-trigger every 60s); fire one refresh now:
    # the tile changes in place, the charts are redrawn and the number table the reader opened stays open.
    page.locator("#chart-opened-resolved-toggle").click()
    page.evaluate(
        "() => htmx.ajax('GET', '/dashboard/', {source: '#dashboard-live', target: '#dashboard-live', swap: 'outerHTML'})"
    )
    expect(page.locator("#tile-tasks-awaiting")).to_have_text(str(before["tasks-awaiting"] + 1))
    expect(page.locator("#chart-opened-resolved-data")).to_have_attribute("open", "")
    assert page.evaluate(CHART_DRAWN)

    middle = tiles(page)
    assert middle["tasks-open"] == before["tasks-open"] - 1
    assert middle["tasks-awaiting"] == before["tasks-awaiting"] + 1
    assert middle["resolved-30d"] == before["resolved-30d"] + 1

    # Another engineer verifies it from "Awaiting my verification".
    eng2 = open_as(browser, live_server, console, engineer2)
    eng2.goto("/tasks/mine/")
    awaiting = eng2.locator("section.awaiting")
    expect(awaiting).to_contain_text("Resolved by eng-test")
    awaiting.get_by_role("link", name="Patch the guardrail jailbreak").click()
    eng2.get_by_label("Note (optional)").last.fill("Re-ran the suite myself: green.")
    eng2.get_by_role("button", name="Verify", exact=True).click()
    expect(eng2.get_by_role("status")).to_contain_text("Verified.")
    expect(eng2.locator(".task-badges")).to_contain_text("Verified")

    task.refresh_from_db()
    assert task.status == TaskStatus.VERIFIED and task.verified_by == engineer2
    after = tiles(page)
    assert after["tasks-open"] == middle["tasks-open"]
    assert after["tasks-awaiting"] == middle["tasks-awaiting"] - 1
    assert RemediationTask.objects.filter(status=TaskStatus.VERIFIED).count() == 1

    # The all-tasks list with a filter, over htmx.
    eng2.goto("/tasks/")
    eng2.get_by_label("Status").select_option("verified")
    eng2.get_by_role("button", name="Filter").click()
    expect(eng2).to_have_url(re.compile(r"status=verified"))  # hx-push-url keeps the filter linkable
    expect(eng2.locator("#results")).to_contain_text("1 task matches the filters")
    expect(eng2.locator("#results")).to_contain_text("Patch the guardrail jailbreak")
    assert_accessible(eng2, "task list")

    assert console.csp_violations == []
    assert [m for m in console.errors if "favicon" not in m] == []
