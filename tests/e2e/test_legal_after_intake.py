"""Legal's loop after intake, in a real browser with no API call and no admin page: log an order (no
authority chosen for them, an extra product row removed), then from the directive page add an obligation
(its due instant previewed live), add a task for an engineer from that obligation, and amend the title.
At 1366 px wide; the additions' panels are checked again at 390 px. The strict CSP holds throughout."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from directives.choices import EntryKind
from directives.models import Directive, Notification, RemediationTask, TimelineEntry
from tests.e2e.conftest import ConsoleLog, login_as
from tests.e2e.test_legal import assert_accessible
from tests.factories import AuthorityFactory, make_product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_YORK = ZoneInfo("America/New_York")


def test_legal_extends_and_amends_an_order_after_intake(
    page: Any, live_server: Any, console: ConsoleLog, legal: Any, engineer: Any
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    page.set_default_timeout(30_000)  # a shared, busy machine
    AuthorityFactory(
        name="U.S. Department of Commerce", short_name="Commerce (BIS)", time_zone="America/New_York"
    )
    make_product("Mythos")
    make_product("Fable 5")
    received = (timezone.now() - dt.timedelta(minutes=30)).astimezone(NEW_YORK)

    login_as(page, live_server, legal)
    page.goto("/directives/new/")
    authority = page.get_by_label("Authority")
    expect(authority).to_have_value("")  # nothing chosen silently
    expect(page.get_by_role("link", name="Authority not listed? Add or edit authorities")).to_be_visible()
    authority.select_option(label="U.S. Department of Commerce (America/New_York)")
    page.get_by_label("Reference").fill("BIS-ORD-AI-2026-0501")
    page.locator("#id_title").fill("Order to block foreign nationals from Mythos")
    page.get_by_label("Received on").fill(received.date().isoformat())
    page.locator("#id_received_time").fill(received.strftime("%H:%M"))
    page.locator("#id_products-0-product").select_option(label="Mythos")
    page.locator("#id_products-0-required_action").fill("Block foreign nationals")
    page.locator("#id_products-1-product").select_option(label="Fable 5")
    page.get_by_role("button", name="Remove this product").nth(1).click()
    expect(page.locator("#id_products-1-product")).to_be_hidden()
    page.locator("#id_obligations-0-title").fill("Block all foreign nationals")
    page.locator("#id_obligations-0-deadline_rule").select_option("immediately")
    page.get_by_role("button", name="Log the order").click()
    expect(page).to_have_url(re.compile(r"/directives/\d+/$"))
    directive = Directive.objects.get(reference="BIS-ORD-AI-2026-0501")
    assert [p.name for p in directive.products.all()] == ["Mythos"]

    # An obligation after intake, with the intake's live preview counted from this directive's receipt.
    panel = page.locator("#action-obligation")
    panel.locator("summary").click()
    panel.get_by_label("Obligation").fill("Submit a remediation plan to BIS")
    panel.get_by_label("Deadline").select_option("business_days")
    panel.get_by_label("Number (hours or days)").fill("2")
    panel.get_by_label("Number (hours or days)").blur()
    expect(panel.locator("output.preview")).to_contain_text("within 2 business days")
    panel.get_by_role("button", name="Add obligation").click()
    expect(page.locator("#directive-detail .message--success")).to_contain_text(
        "Obligation added: Submit a remediation plan to BIS"
    )
    plan = directive.obligations.get(title="Submit a remediation plan to BIS")
    assert_accessible(page, "directive page with the additions")

    # A task for the engineer, from that obligation: due when the obligation is, shown in words with UTC.
    page.get_by_role("link", name="Add a task for Submit a remediation plan to BIS").click()
    task_panel = page.locator("#action-task")
    expect(task_panel).to_have_attribute("open", "")
    expect(task_panel.get_by_label("For obligation")).to_have_value(str(plan.pk))
    task_panel.locator("#id_task_title").fill("Draft the remediation plan")
    task_panel.get_by_label("Assignee").select_option(value=str(engineer.pk))
    task_panel.get_by_label("Priority").select_option("P1")
    task_panel.get_by_role("button", name="Add task").click()
    message = page.locator(".message--success").first
    expect(message).to_contain_text(
        f"Task added: Draft the remediation plan, assigned to {engineer.username}"
    )
    expect(message).to_contain_text("UTC")
    task = RemediationTask.objects.get(directive=directive)
    assert task.obligation == plan and task.due_at == plan.due_at and task.assignee == engineer
    assert Notification.objects.filter(task=task, user=engineer).exists()

    # Amend the title: the page shows the new one, the timeline the old and the new.
    amend = page.locator("#action-amend")
    amend.locator("summary").click()
    amend.get_by_label("Title").fill("Order to block foreign nationals from Mythos (amended)")
    amend.get_by_role("button", name="Save amendments").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("(amended)")
    entry = TimelineEntry.objects.get(directive=directive, kind=EntryKind.DIRECTIVE_AMENDED)
    assert "→ “Order to block foreign nationals from Mythos (amended)”" in entry.summary
    expect(page.locator(".timeline__entry", has_text="Directive amended").first).to_be_visible()

    # On a phone: the additions' panels open within the screen's width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/directives/{directive.pk}/?task_for={plan.pk}")
    for name in ("task", "obligation", "product", "amend"):
        box = page.locator(f"#action-{name}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)

    assert console.csp_violations == [], console.csp_violations
