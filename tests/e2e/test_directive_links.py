"""Legal links two directives in a real browser: on the Commerce order's page, "amends" the executive order
(a reference that does not exist is refused first, with what was typed kept), sees "Amended by" on the
executive order's page, removes the link there, and both timelines record each change. CSP holds."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from directives.choices import EntryKind
from directives.models import DirectiveLink, TimelineEntry
from tests.e2e.conftest import ConsoleLog, login_as
from tests.e2e.test_legal import assert_accessible
from tests.factories import make_directive

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_legal_adds_a_typed_link_and_removes_it_from_the_other_page(
    page: Any, live_server: Any, console: ConsoleLog, legal: Any
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    page.set_default_timeout(30_000)  # a shared, busy machine
    received = timezone.now() - dt.timedelta(hours=2)
    eo = make_directive(
        actor=legal,
        reference="EO-2026-VMR",
        title="Executive order on voluntary frontier model review",
        received_at=received - dt.timedelta(days=30),
    )
    order = make_directive(
        actor=legal,
        reference="BIS-ORD-AI-2026-0417",
        title="Order to block foreign nationals from Mythos and Fable 5",
        received_at=received,
    )

    login_as(page, live_server, legal)
    page.goto(f"/directives/{order.pk}/")
    expect(page.get_by_text("No links to other directives.")).to_be_visible()
    panel = page.locator("#action-link")
    panel.locator("summary").click()
    panel.get_by_label("This directive").select_option(label="Amends")
    target = panel.locator("#id_link_target")
    target.fill("EO-9999")
    panel.get_by_role("button", name="Add link").click()
    panel = page.locator("#action-link")
    expect(panel.locator(".field__error")).to_contain_text("No directive has the reference “EO-9999”.")
    expect(panel.locator("#id_link_target")).to_have_value("EO-9999")  # kept as typed
    assert not DirectiveLink.objects.exists()

    panel.locator("#id_link_target").fill("EO-2026-VMR")
    panel.get_by_role("button", name="Add link").click()
    expect(page.locator("#directive-detail .message--success")).to_contain_text(
        "Linked: BIS-ORD-AI-2026-0417 amends EO-2026-VMR."
    )
    card = page.locator("section[aria-labelledby='links-h']")
    expect(card.locator("li")).to_have_text(re.compile(r"Amends\s+EO-2026-VMR: Executive order on voluntary"))
    expect(page.locator(".timeline__entry", has_text="Link added: amends EO-2026-VMR").first).to_be_visible()
    assert_accessible(page, "directive page with a link")

    # The executive order's page, reached from the link, reads it the other way; legal removes it there.
    card.get_by_role("link", name="EO-2026-VMR").click()
    expect(page).to_have_url(re.compile(rf"/directives/{eo.pk}/$"))
    card = page.locator("section[aria-labelledby='links-h']")
    expect(card.locator("li")).to_have_text(re.compile(r"Amended by\s+BIS-ORD-AI-2026-0417: Order to block"))
    card.get_by_role("button", name="Remove the link: amended by BIS-ORD-AI-2026-0417").click()
    expect(page.locator("#directive-detail .message--success")).to_contain_text(
        "Link removed: EO-2026-VMR no longer amended by BIS-ORD-AI-2026-0417."
    )
    expect(page.get_by_text("No links to other directives.")).to_be_visible()
    assert not DirectiveLink.objects.exists()
    for directive in (order, eo):
        kinds = set(TimelineEntry.objects.filter(directive=directive).values_list("kind", flat=True))
        assert {EntryKind.LINK_ADDED, EntryKind.LINK_REMOVED} <= kinds

    page.goto(f"/directives/{order.pk}/")
    expect(page.get_by_text("No links to other directives.")).to_be_visible()
    assert console.csp_violations == [], console.csp_violations
