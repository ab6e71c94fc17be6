"""One walk per role through its whole loop in a real browser, with no API call and no admin page, at 1366 px
wide, then the role's pages at 390 px (no sideways page scroll). Each step asserts what the person sees.

- Legal logs an order with an obligation and a product, adds a product (made on the products page) and an
  obligation afterwards, amends the directive, creates a task, attaches evidence to it, records the shutdown
  and publishes a statement, and follows the escalation the sweep sent to legal from the inbox.
- An engineer follows the assignment message from the inbox to the task, starts it, attaches evidence,
  resolves it and hands another task to a colleague; the second engineer verifies the first task and picks
  up the reassigned one.
- An executive reads the dashboard (directives, deadlines, overdue and escalated work, who can use what, the
  receipt instant and the receipt -> shutdown time) and follows the sweep's missed-obligation message from
  the inbox to its directive.

The strict CSP holds throughout (no violation on the console)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from directives import instants
from directives.choices import AccessState, EntryKind, Priority, TaskStatus
from directives.escalation.sweep import sweep
from directives.models import Directive, Product, RemediationTask, TimelineEntry
from tests.e2e.conftest import ConsoleLog, login_as
from tests.e2e.test_engineer_loop import NO_PAGE_SCROLL, PDF, open_as
from tests.factories import AuthorityFactory, make_directive, make_obligation, make_product, make_task
from tests.selectors.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_YORK = ZoneInfo("America/New_York")
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _sweep_past(due: dt.datetime, hours: int) -> None:
    """The escalation sweep, run ``hours`` after ``due``: the ladder queues the messages (the inbox's)."""
    sweep(now=due + dt.timedelta(hours=hours))


def _no_page_scroll(page: Any, path: str, heading: str) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
    assert page.evaluate(NO_PAGE_SCROLL), f"{path} scrolls sideways at 390 px"


def _success(page: Any) -> Any:
    """The message a directive page's panel answers with (the page's own after a redirect)."""
    return page.locator("#directive-detail .message--success, #messages .message--success").last


def test_legal_walk(page: Any, live_server: Any, console: ConsoleLog, legal: Any, engineer: Any) -> None:
    page.set_viewport_size(WIDE)
    page.set_default_timeout(30_000)  # a shared, busy machine
    AuthorityFactory(name="U.S. Department of Commerce", time_zone="America/New_York")
    make_product("Mythos")
    elsewhere = make_directive(actor=legal, reference="EC-AIO-7", title="Request for information")
    due = elsewhere.received_at + dt.timedelta(days=1)
    waiting = make_task(
        elsewhere,
        actor=legal,
        title="Answer the AI Office",
        assignee=engineer,
        priority=Priority.P0,
        due_at=due,
    )
    _sweep_past(due, 1)  # a P0 task an hour overdue: the ladder's level 2 tells legal
    now = timezone.now().astimezone(NEW_YORK)
    received = now - dt.timedelta(minutes=30)

    # Log the order with an obligation and a product.
    login_as(page, live_server, legal)
    page.goto("/directives/new/")
    page.get_by_label("Authority").select_option(label="U.S. Department of Commerce (America/New_York)")
    page.get_by_label("Reference").fill("BIS-WALK-1")
    page.locator("#id_title").fill("Order to block foreign nationals from Mythos")
    page.get_by_label("Received on").fill(received.date().isoformat())
    page.locator("#id_received_time").fill(received.strftime("%H:%M"))
    page.locator("#id_products-0-product").select_option(label="Mythos")
    page.locator("#id_products-0-required_action").fill("Block foreign nationals")
    page.locator("#id_obligations-0-title").fill("Block all foreign nationals")
    page.locator("#id_obligations-0-deadline_rule").select_option("immediately")
    page.get_by_role("button", name="Log the order").click()
    expect(page).to_have_url(re.compile(r"/directives/\d+/$"))
    directive = Directive.objects.get(reference="BIS-WALK-1")
    receipt = instants.legal(directive.received_at, "America/New_York")
    expect(_success(page)).to_contain_text(f"Logged BIS-WALK-1: receipt at {receipt}")
    expect(page.locator("table.matrix")).to_contain_text("Block foreign nationals")
    expect(page.locator("#directive-detail")).to_contain_text("Block all foreign nationals")

    # A product nobody had named yet: made on the products page, which comes back to the directive.
    page.get_by_role("link", name="Product not listed? Add a product").click()
    expect(page.get_by_role("heading", name="Products", exact=True)).to_be_visible()
    page.get_by_label("Name").fill("Fable 5")
    page.get_by_label("Owning team").fill("Platform")
    page.get_by_role("button", name="Add the product").click()
    expect(page).to_have_url(re.compile(rf"/directives/{directive.pk}/$"))
    expect(_success(page)).to_contain_text("Added the product Fable 5.")
    product_panel = page.locator("#action-product")
    product_panel.locator("summary").click()
    product_panel.get_by_label("Product").select_option(label="Fable 5")
    product_panel.get_by_label("Required action").fill("Suspend for all users")
    product_panel.get_by_role("button", name="Add product").click()
    expect(_success(page)).to_contain_text("Fable 5 added to the directive: Suspend for all users.")
    expect(page.locator("table.matrix")).to_contain_text("Fable 5")

    # An obligation after intake.
    panel = page.locator("#action-obligation")
    panel.locator("summary").click()
    panel.get_by_label("Obligation").fill("Submit a remediation plan to BIS")
    panel.get_by_label("Deadline").select_option("business_days")
    panel.get_by_label("Number (hours or days)").fill("2")
    panel.get_by_role("button", name="Add obligation").click()
    expect(_success(page)).to_contain_text("Obligation added: Submit a remediation plan to BIS")

    # Amend the directive.
    amend = page.locator("#action-amend")
    amend.locator("summary").click()
    amend.get_by_label("Title").fill("Order to block foreign nationals from Mythos and Fable 5")
    amend.get_by_role("button", name="Save amendments").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("from Mythos and Fable 5")
    expect(page.locator(".timeline__entry", has_text="Directive amended").first).to_be_visible()

    # A task for the engineer.
    task_panel = page.locator("#action-task")
    task_panel.locator("summary").click()
    task_panel.locator("#id_task_title").fill("Gate sign-ups by nationality")
    task_panel.get_by_label("Assignee").select_option(value=str(engineer.pk))
    task_panel.get_by_label("Priority").select_option("P1")
    task_panel.get_by_role("button", name="Add task").click()
    expect(_success(page)).to_contain_text(
        f"Task added: Gate sign-ups by nationality, assigned to {engineer.username}"
    )
    task = RemediationTask.objects.get(directive=directive)

    # The shutdown: Fable 5 suspended for every audience, five minutes ago.
    shutdown = now - dt.timedelta(minutes=5)
    access = page.locator("#action-access")
    access.locator("summary").click()
    access.get_by_label("Product").select_option(label="Fable 5")
    for box in access.locator("input[name=audiences]").all():
        box.check()
    access.get_by_label("New access").select_option(AccessState.SUSPENDED)
    access.get_by_label("Changed on").fill(shutdown.date().isoformat())
    access.locator("#id_access_occurred_time").fill(shutdown.strftime("%H:%M"))
    access.get_by_label("Reason").fill("Total shutdown while the gate is built.")
    access.get_by_role("button", name="Record access change").click()
    expect(_success(page)).to_contain_text("Fable 5: access suspended")
    fable_row = page.locator("table.matrix tr", has_text="Fable 5")
    expect(fable_row).to_contain_text("Suspended")
    expect(fable_row).not_to_contain_text("Available")
    since = instants.legal(shutdown.replace(second=0, microsecond=0), "America/New_York")
    expect(fable_row).to_contain_text(f"since {since}")  # words, not ISO

    # The company's statement.
    statement = page.locator("#action-statement")
    statement.locator("summary").click()
    statement.get_by_label("Statement").fill("We comply with the order and have suspended Fable 5.")
    statement.get_by_label("Company posture").select_option("complying")
    statement.get_by_role("button", name="Publish statement").click()
    expect(_success(page)).to_contain_text("Statement published on the timeline.")
    kinds = set(TimelineEntry.objects.filter(directive=directive).values_list("kind", flat=True))
    assert {EntryKind.ACCESS_CHANGED, EntryKind.DIRECTIVE_AMENDED} <= kinds

    # Evidence on the task, from its page.
    page.get_by_role("link", name="Gate sign-ups by nationality").first.click()
    expect(page.get_by_role("heading", name="Gate sign-ups by nationality")).to_be_visible()
    attach = page.locator("#attach-evidence")
    attach.locator("summary").click()
    attach.get_by_label("Links (one per line)").fill("https://status.example/incident/77")
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("evidence attached")
    expect(page.locator(".evidence-list")).to_contain_text("https://status.example/incident/77")
    assert task.evidence.count() == 1

    # The inbox: the escalation sent to legal, followed to its task.
    inbox = page.locator("#inbox-link")
    expect(inbox.locator(".inbox-count")).to_have_text("1")
    inbox.click()
    item = page.locator(".inbox__item").first
    expect(item).to_contain_text(re.compile(r"\[Docket P0\] Level 2 of 3: .*: Answer the AI Office"))
    item.get_by_role("link", name=re.compile(r"^Open Task: Answer the AI Office")).click()
    expect(page).to_have_url(re.compile(rf"/tasks/{waiting.pk}/$"))
    expect(page.get_by_role("heading", name="Answer the AI Office")).to_be_visible()
    expect(page.locator("#inbox-link .inbox-count")).to_have_count(0)

    # On a phone.
    page.set_viewport_size(PHONE)
    _no_page_scroll(
        page,
        f"/directives/{directive.pk}/",
        "BIS-WALK-1: Order to block foreign nationals from Mythos and Fable 5",
    )
    _no_page_scroll(page, "/products/", "Products")
    _no_page_scroll(page, f"/tasks/{task.pk}/", "Gate sign-ups by nationality")
    _no_page_scroll(page, "/inbox/", "Inbox")
    assert Product.objects.count() == 2
    assert console.csp_violations == [], console.csp_violations


def test_engineers_walk(
    browser: Any, live_server: Any, console: ConsoleLog, legal: Any, engineer: Any, engineer2: Any
) -> None:
    now = timezone.now()
    directive = make_directive(
        actor=legal,
        received_at=now - dt.timedelta(hours=2),
        products=[make_product("Fable 5")],
        title="Order to block foreign nationals",
        reference="BIS-WALK-2",
    )
    task = make_task(
        directive,
        actor=legal,
        now=now - dt.timedelta(hours=1),
        title="Patch the guardrail jailbreak",
        assignee=engineer,
        priority=Priority.P1,
        due_at=now + dt.timedelta(days=1),
        notify_assignee=True,
    )
    handover = make_task(
        directive, actor=legal, now=now - dt.timedelta(hours=1), title="Write the runbook", assignee=engineer
    )

    # The engineer follows the assignment message from the inbox to the task.
    eng = open_as(browser, live_server, console, engineer)
    eng.set_default_timeout(30_000)
    eng.goto("/")
    inbox = eng.locator("#inbox-link")
    expect(inbox.locator(".inbox-count")).to_have_text("1")
    inbox.click()
    item = eng.locator(".inbox__item").first
    expect(item).to_contain_text("Assigned to you: Patch the guardrail jailbreak")
    item.get_by_role("link", name=re.compile(r"^Open Task: Patch the guardrail jailbreak")).click()
    expect(eng).to_have_url(re.compile(rf"/tasks/{task.pk}/$"))
    expect(eng.get_by_role("heading", name="Patch the guardrail jailbreak")).to_be_visible()

    # Start the work.
    eng.get_by_text("Change status", exact=True).first.click()
    eng.get_by_label("Move to").select_option(TaskStatus.IN_PROGRESS)
    eng.get_by_role("button", name="Change status").click()
    expect(eng.locator(".task-badges")).to_contain_text("In progress")
    expect(eng.locator(".task-timeline")).to_contain_text("In progress")

    # Evidence while the work goes on.
    attach = eng.locator("#attach-evidence")
    attach.locator("summary").click()
    attach.get_by_label("Links (one per line)").fill("https://ci.example/run/4711")
    eng.set_input_files(
        "#id_evidence_evidence_files",
        files=[{"name": "red-team.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    eng.get_by_role("button", name="Attach", exact=True).click()
    expect(eng.get_by_role("status")).to_contain_text("2 pieces of evidence attached.")
    expect(eng.locator(".evidence-list")).to_contain_text(hashlib.sha256(PDF).hexdigest())

    # Resolve with a resolution.
    eng.get_by_text("Resolve with evidence").click()
    eng.get_by_label("Resolution").fill("Classifier retrained; the bypass no longer works.")
    eng.get_by_role("button", name="Resolve", exact=True).click()
    expect(eng.get_by_role("status")).to_contain_text("A second person must verify it.")
    expect(eng.get_by_text("You resolved this task, so someone else must verify it.")).to_be_visible()

    # Hand the runbook to a colleague.
    eng.goto(f"/tasks/{handover.pk}/")
    reassign = eng.locator("details", has=eng.locator("summary", has_text="Reassign"))
    reassign.locator("summary").click()
    reassign.get_by_label("Assignee").select_option(value=str(engineer2.pk))
    reassign.get_by_role("button", name="Reassign").click()
    expect(eng.locator(".task-details")).to_contain_text(engineer2.username)

    # The second engineer verifies the first task and picks up the runbook.
    eng2 = open_as(browser, live_server, console, engineer2)
    eng2.set_default_timeout(30_000)
    eng2.goto("/tasks/mine/")
    awaiting = eng2.locator("section.awaiting")
    expect(awaiting).to_contain_text(f"Resolved by {engineer.username}")
    awaiting.get_by_role("link", name="Patch the guardrail jailbreak").click()
    expect(eng2.locator(".evidence-list")).to_contain_text("red-team.pdf")
    eng2.get_by_label("Note (optional)").last.fill("Re-ran the suite myself: green.")
    eng2.get_by_role("button", name="Verify", exact=True).click()
    expect(eng2.get_by_role("status")).to_contain_text("Verified.")
    expect(eng2.locator(".task-badges")).to_contain_text("Verified")
    eng2.goto("/tasks/mine/")
    eng2.get_by_role("link", name="Write the runbook").first.click()
    eng2.get_by_text("Change status", exact=True).first.click()
    eng2.get_by_label("Move to").select_option(TaskStatus.IN_PROGRESS)
    eng2.get_by_role("button", name="Change status").click()
    expect(eng2.locator(".task-badges")).to_contain_text("In progress")
    task.refresh_from_db()
    handover.refresh_from_db()
    assert task.status == TaskStatus.VERIFIED and task.verified_by == engineer2
    assert handover.assignee == engineer2 and handover.status == TaskStatus.IN_PROGRESS

    # On a phone.
    phone = open_as(browser, live_server, console, engineer, width=390)
    _no_page_scroll(phone, f"/tasks/{task.pk}/", "Patch the guardrail jailbreak")
    _no_page_scroll(phone, "/tasks/mine/", "My tasks")
    _no_page_scroll(phone, "/inbox/", "Inbox")
    assert console.csp_violations == [], console.csp_violations


def test_executive_walk(
    page: Any,
    live_server: Any,
    console: ConsoleLog,
    legal: Any,
    engineer: Any,
    engineer2: Any,
    executive: Any,
) -> None:
    # A missed obligation on a directive not yet in effect: the sweep's ladder tells legal and executives.
    questions = make_directive(actor=legal, reference="EC-AIO-9", title="Questionnaire on model access")
    report = make_obligation(questions, actor=legal, amount=1, title="Answer the Commission's questionnaire")
    assert report.due_at is not None
    _sweep_past(report.due_at, 2)
    world = build_world(legal=legal, engineer=engineer, engineer2=engineer2)
    make_task(
        world.order,
        actor=legal,
        title="Ship the nationality gate",
        assignee=engineer,
        priority=Priority.P1,
        due_at=timezone.now() + dt.timedelta(days=2),
    )
    cache.clear()  # the dashboard's figures from an earlier test are not this world's
    page.set_viewport_size(WIDE)
    page.set_default_timeout(30_000)

    login_as(page, live_server, executive)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("#tile-directives-in-effect")).to_have_text("1")
    expect(page.locator("#tile-tasks-escalated")).to_have_text("1")
    assert int(page.locator("#tile-tasks-overdue").inner_text()) >= 1
    assert int(page.locator("#tile-obligations-missed").inner_text()) >= 1
    expect(page.locator("#tile-median-shutdown")).to_have_text("27 min")

    # The receipt, the instant everything counts from, and the time to the shutdown that followed.
    row = page.locator("tr", has_text="BIS-ORD-1").filter(has_text="27 min").first
    expect(row).to_contain_text("Fri 27 Nov 2026, 17:21 EST · 22:21 UTC")
    expect(row).to_contain_text("Fri 27 Nov 2026, 17:48 EST · 22:48 UTC")
    expect(row.locator("time").first).to_have_attribute("datetime", "2026-11-27T22:21:00Z")

    # Who can use what, since when; the deadlines ahead.
    live = page.locator("#dashboard-live")
    expect(live).to_contain_text("Who can use what")
    expect(live).to_contain_text("since Fri 27 Nov 2026, 17:48 EST · 22:48 UTC")
    expect(live).to_contain_text("Ship the nationality gate")

    # The escalation sent to executives, followed to its directive.
    page.locator("#inbox-link").click()
    item = page.locator(".inbox__item").first
    expect(item).to_contain_text("[Docket] Obligation missed: Answer the Commission's questionnaire")
    item.get_by_role("link", name="Open Directive EC-AIO-9").click()
    expect(page).to_have_url(re.compile(rf"/directives/{questions.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Questionnaire on model access")

    # On a phone.
    page.set_viewport_size(PHONE)
    _no_page_scroll(page, "/dashboard/", "Executive dashboard")
    _no_page_scroll(page, "/inbox/", "Inbox")
    assert console.csp_violations == [], console.csp_violations
