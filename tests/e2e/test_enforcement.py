"""Legal's one-click suspension in the browser: every product of the directive suspended in one step, each
control seen moving to confirmed on the page without a reload (a real kill switch behind the webhook
control, a person confirming the manual one); then a lift another person requested is approved there and
carried out. axe finds no serious or critical violation; the console shows no CSP violation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from directives.models import Audience, Enforcement, LiftRequest
from directives.services import controls, suspension
from directives.services import enforcement as enforcement_services
from tests.e2e.conftest import ConsoleLog
from tests.e2e.test_engineer_and_executive import assert_accessible
from tests.e2e.test_engineer_loop import open_as
from tests.enforcement.killswitch import SECRET, KillSwitch
from tests.factories import make_directive, make_product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def switch() -> Iterator[KillSwitch]:
    previous = settings.DOCKET_ENFORCEMENT_WEBHOOK_SECRET
    settings.DOCKET_ENFORCEMENT_WEBHOOK_SECRET = SECRET
    server = KillSwitch().start()
    yield server
    server.stop()
    settings.DOCKET_ENFORCEMENT_WEBHOOK_SECRET = previous


def work() -> None:
    """One worker's pass, as Celery would run it."""
    enforcement_services.run_due(now=timezone.now(), clock=timezone.now)


def test_one_click_suspension_watched_to_confirmed_and_a_lift_approved(
    browser: Any, live_server: Any, console: ConsoleLog, switch: KillSwitch, legal: Any, engineer: Any
) -> None:
    fable, mythos = make_product("Fable 5"), make_product("Mythos")
    controls.set_control(product=fable, kind="webhook", target=switch.target())
    controls.set_control(product=mythos, kind="manual")
    directive = make_directive(
        actor=legal,
        received_at=timezone.now() - dt.timedelta(minutes=30),
        products=[fable, mythos],
        reference="BIS-E2E-ENF",
    )
    page = open_as(browser, live_server, console, legal)
    page.goto(f"/directives/{directive.pk}/")
    page.get_by_role("button", name="Suspend every product for all users").click()
    expect(page.get_by_text("Suspension recorded for 2 product(s)")).to_be_visible()
    card = page.locator("#enforcement-card")
    fable_row, mythos_row = (
        card.locator('tr[data-control="Fable 5"]'),
        card.locator('tr[data-control="Mythos"]'),
    )
    expect(fable_row).to_contain_text("Requested")
    expect(fable_row).to_contain_text("by legal-test")
    assert_accessible(page, "directive page with controls under way")

    work()  # the worker applies Fable 5 through the kill switch and confirms it
    expect(fable_row).to_contain_text("Confirmed", timeout=10_000)  # htmx polling, no reload
    assert switch.live("Fable 5", "domestic-users") == "suspended"
    expect(mythos_row).to_contain_text("Requested")
    mythos_row.get_by_role("button", name="Confirm applied for Mythos").click()
    expect(card.locator('tr[data-control="Mythos"]')).to_contain_text("Confirmed")

    # An engineer asked to lift Fable 5; legal approves it on the page and the worker carries it out.
    lift = suspension.change_access(
        product=fable,
        audiences=[Audience.objects.get(key="all-users")],
        state="available",
        directive=directive,
        occurred_at=timezone.now(),
        actor=engineer,
        now=timezone.now(),
        reason="The order was lifted.",
    )
    assert isinstance(lift, LiftRequest)
    page.reload()
    expect(page.get_by_text("a second person must approve it").first).to_be_visible()
    page.get_by_role("button", name="Approve the lift of Fable 5").click()
    expect(page.get_by_text("lift approved; it is being carried out")).to_be_visible()
    work()
    expect(card.locator('tr[data-control="Fable 5"]')).to_contain_text("Confirmed", timeout=10_000)
    assert switch.live("Fable 5", "domestic-users") == "available"
    assert Enforcement.objects.filter(control__product=fable).latest("pk").status == "confirmed"
    assert lift.pk and console.csp_violations == []
