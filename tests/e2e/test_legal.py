"""Legal's path in a real browser: log the Friday 17:21 ET order with a PDF and two products, see the
receipt on the timeline at 17:21 ET (22:21Z), then record the shutdown (access suspended for every
audience). axe-core finds no serious or critical violation on legal's pages; the console shows no CSP
violation."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from fpdf import FPDF
from playwright.sync_api import expect

from directives import instants
from directives.choices import AccessState, EntryKind
from directives.models import Directive, ProductAccess, TimelineEntry
from directives.services.demo import most_recent_friday
from tests.e2e.conftest import ConsoleLog, login_as
from tests.factories import AuthorityFactory, make_product

# The live server's flush would delete the roles and audiences the migrations created; put them back.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def tiny_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Order BIS-ORD-AI-2026-0417: block all foreign nationals from Mythos and Fable 5.")
    return bytes(pdf.output())


def assert_accessible(page: Any, what: str) -> None:
    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{what}: {bad}"


def test_legal_logs_the_friday_order_and_records_the_shutdown(
    page: Any, browser: Any, live_server: Any, console: ConsoleLog, legal: Any
) -> None:
    friday = most_recent_friday(timezone.now())
    AuthorityFactory(
        name="U.S. Department of Commerce, Bureau of Industry and Security", short_name="Commerce (BIS)"
    )
    make_product("Mythos")
    make_product("Fable 5")
    pdf = tiny_pdf()

    # The login page itself, before logging in.
    page.goto("/login/")
    expect(page.get_by_role("heading", name="Log in to Docket")).to_be_visible()
    assert_accessible(page, "login")

    login_as(page, live_server, legal)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/desk/$"))
    expect(page.get_by_text("Nothing arrived in the last 7 days")).to_be_visible()
    assert_accessible(page, "empty legal desk")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Directives", exact=True).click()
    expect(page).to_have_url(re.compile(r"/directives/$"))
    expect(page.get_by_text("No directives yet")).to_be_visible()
    assert_accessible(page, "empty directive list")

    page.get_by_role("link", name="Log an order").click()
    expect(page.get_by_role("heading", name="Log an incoming order")).to_be_visible()
    page.get_by_label("Authority").select_option(
        label="U.S. Department of Commerce, Bureau of Industry and Security (America/New_York)"
    )
    page.get_by_label("Reference").fill("BIS-ORD-AI-2026-0417")
    page.locator("#id_title").fill("Order to block foreign nationals from Mythos and Fable 5")
    page.get_by_label("Kind").select_option("export_control")
    page.get_by_label("Received on").fill(friday.isoformat())
    page.locator("#id_received_time").fill("17:21")
    page.get_by_label("Summary").fill("Block all foreign nationals from Mythos and Fable 5.")
    page.set_input_files(
        "#id_documents", files=[{"name": "order.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.locator("#id_products-0-product").select_option(label="Mythos")
    page.locator("#id_products-0-required_action").fill("Block foreign nationals")
    page.locator("#id_products-1-product").select_option(label="Fable 5")
    page.locator("#id_products-1-required_action").fill("Block foreign nationals")
    page.locator("#id_obligations-0-title").fill("Block all foreign nationals")
    page.locator("#id_obligations-0-deadline_rule").select_option("immediately")
    preview = page.locator("#obligations-0-preview")
    received = dt.datetime.combine(friday, dt.time(17, 21), tzinfo=ZoneInfo("America/New_York"))
    # In words with UTC beside it: "Fri 27 Nov 2026, 17:21 EST · 22:21 UTC".
    expect(preview).to_contain_text(instants.legal(received, "America/New_York"))
    page.get_by_role("button", name="Add another obligation").click()
    page.locator("#id_obligations-1-title").fill("Submit a remediation plan to BIS")
    page.locator("#id_obligations-1-deadline_rule").select_option("business_days")
    page.locator("#id_obligations-1-deadline_amount").fill("2")
    page.locator("#id_obligations-1-deadline_amount").blur()
    expect(page.locator("#obligations-1-preview")).to_contain_text("within 2 business days")
    assert_accessible(page, "intake form")
    page.get_by_role("button", name="Log the order").click()

    expect(page).to_have_url(re.compile(r"/directives/\d+/$"))
    sha = hashlib.sha256(pdf).hexdigest()
    expect(page.locator(".message--success")).to_contain_text(sha)
    directive = Directive.objects.get(reference="BIS-ORD-AI-2026-0417")
    assert directive.received_at == dt.datetime.combine(friday, dt.time(22, 21), tzinfo=dt.UTC)
    assert directive.obligations.count() == 2
    assert_accessible(page, "directive page")

    # The receipt on the timeline, at 17:21 ET with its UTC instant.
    page.locator(".page-header__actions").get_by_role("link", name="Timeline").click()
    expect(page.get_by_role("heading", name="Timeline of BIS-ORD-AI-2026-0417")).to_be_visible()
    receipt = page.locator(".timeline__entry", has_text="received at 17:21 EST")
    expect(receipt).to_contain_text(instants.legal(directive.received_at, "America/New_York"))  # in words
    expect(receipt.locator("time").first).to_have_attribute("datetime", f"{friday.isoformat()}T22:21:00Z")
    expect(page.locator(".chain-ok").first).to_be_visible()
    assert_accessible(page, "timeline")

    # The shutdown: both products suspended for every audience at 17:48 ET.
    page.goto(f"/directives/{directive.pk}/")
    for product in ("Fable 5", "Mythos"):
        panel = page.locator("#action-access")
        panel.locator("summary").click()
        panel.get_by_label("Product").select_option(label=product)
        for box in panel.locator("input[name=audiences]").all():
            box.check()
        panel.get_by_label("New access").select_option(AccessState.SUSPENDED)
        panel.get_by_label("Changed on").fill(friday.isoformat())
        panel.locator("#id_access_occurred_time").fill("17:48")
        panel.get_by_label("Reason").fill("Total shutdown for domestic and international users.")
        panel.get_by_role("button", name="Record access change").click()
        expect(page.locator("#directive-detail .message--success")).to_contain_text(
            f"{product}: access suspended"
        )
    assert set(
        ProductAccess.objects.filter(product__name__in=["Fable 5", "Mythos"]).values_list("state", flat=True)
    ) == {AccessState.SUSPENDED}
    shutdowns = TimelineEntry.objects.filter(directive=directive, kind=EntryKind.ACCESS_CHANGED)
    assert shutdowns.count() == 2
    assert all(
        e.occurred_at == dt.datetime.combine(friday, dt.time(22, 48), tzinfo=dt.UTC) for e in shutdowns
    )
    matrix = page.locator("table.matrix")
    expect(matrix).not_to_contain_text("Available")
    expect(matrix).to_contain_text("Suspended")
    assert_accessible(page, "directive page after the shutdown")

    for path in (
        "/directives/",
        "/timeline/",
        f"/directives/{directive.pk}/report/",
        "/calendar/",
    ):
        page.goto(path)
        assert_accessible(page, path)

    # A receipt in the DST fall-back hour: the form asks which 01:30 was meant, and says so accessibly.
    page.goto("/directives/new/")
    page.get_by_label("Authority").select_option(
        label="U.S. Department of Commerce, Bureau of Industry and Security (America/New_York)"
    )
    page.locator("#id_reference").fill("BIS-ORD-AI-2026-0418")
    page.locator("#id_title").fill("Follow-up order")
    page.get_by_label("Received on").fill("2026-11-01")
    page.locator("#id_received_time").fill("01:30")
    page.get_by_role("button", name="Log the order").click()
    expect(page.get_by_role("group", name="Which 01:30 on 2026-11-01?")).to_be_visible()
    assert_accessible(page, "intake asking which 01:30")
    page.get_by_label(re.compile(r"2026-11-01T01:30-05:00 EST")).check()
    page.get_by_role("button", name="Log the order").click()
    expect(page).to_have_url(re.compile(r"/directives/\d+/$"))
    assert Directive.objects.get(reference="BIS-ORD-AI-2026-0418").received_at == dt.datetime(
        2026, 11, 1, 6, 30, tzinfo=dt.UTC
    )

    page.goto("/no-such-page/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert_accessible(page, "404")

    assert console.csp_violations == [], console.csp_violations
