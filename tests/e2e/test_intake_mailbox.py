"""Legal works the intake mailbox in a real browser: two orders delivered to a real IMAP server (a private
Dovecot) and taken in by the mailbox poll are listed with their sender, subject and receipt instant; one is
logged through the intake form filled in from it, the other dismissed with a reason; the page fits a phone's
width and a laptop's."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from directives.models import Directive, IntakeItem, IntakeState, SenderMapping
from directives.services import mailbox
from tests.documents.samples import TRUSTED, eml_bytes, order_eml, pdf_bytes
from tests.e2e.conftest import login_as
from tests.factories import AuthorityFactory
from tests.mailbox.dovecot import running_dovecot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
NO_PAGE_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.mark.parametrize("width", [1366, 390])
def test_legal_logs_one_message_and_dismisses_another(
    width: int, page: Any, live_server: Any, legal: Any, settings: Any, tmp_path: Any
) -> None:
    settings.DOCKET_TRUSTED_MAIL_HOSTS = TRUSTED
    settings.MEDIA_ROOT = tmp_path / "media"
    bis: Any = AuthorityFactory(name="Bureau of Industry and Security", time_zone="America/New_York")
    SenderMapping.objects.create(sender="@bis.example.gov", authority=bis)
    with running_dovecot() as dovecot:
        for name, value in dovecot.settings().items():
            setattr(settings, name, value)
        dovecot.deliver(
            order_eml([("order-letter.pdf", "application/pdf", pdf_bytes("The letter."))]),
            eml_bytes("Newsletter: export controls this week", "Not an order."),
        )
        assert mailbox.poll_mailbox(now=timezone.now()).queued == 2

    page.set_viewport_size({"width": width, "height": 900})
    login_as(page, live_server, legal)
    page.goto("/")
    if width < 800:  # the menu is folded away on a phone
        page.locator("[data-nav-toggle]").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Intake mailbox").click()
    expect(page.get_by_role("heading", name="Intake mailbox")).to_be_visible()
    order = page.locator(".inbox__item").filter(has_text="Order BIS-ORD-AI-2026-0417")
    expect(order).to_contain_text("BIS Enforcement <enforcement@bis.example.gov>")
    expect(order).to_contain_text("Received Fri 27 Nov 2026, 17:21:04 EST · 22:21:04 UTC")
    assert page.evaluate(NO_PAGE_SCROLL)

    newsletter = page.locator(".inbox__item").filter(has_text="Newsletter")
    newsletter.get_by_label("Reason").fill("A newsletter, not an order")
    newsletter.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_text("dismissed (A newsletter, not an order) by")).to_be_visible()

    page.locator(".inbox__item").filter(has_text="Order BIS-ORD-AI-2026-0417").get_by_role(
        "button", name="Log it"
    ).click()
    notice = page.locator("#from-message")
    expect(notice).to_contain_text("Filled in from the intake mailbox's message")
    expect(notice).to_contain_text("Bureau of Industry and Security, mapped from the sender's address")
    expect(page.locator("#id_received_time")).to_have_value("17:21:04")
    page.get_by_label("Reference").fill("BIS-ORD-AI-2026-0417")
    # The page's own requests (the live previews, fired on leaving a field) are answered before the
    # submit, as they are before a person reaches the button: the test server shares one SQLite connection.
    page.get_by_label("Reference").press("Tab")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Log the order").click()

    expect(page).to_have_url(re.compile(r"/directives/\d+/$"))
    directive = Directive.objects.get(reference="BIS-ORD-AI-2026-0417")
    assert directive.received_at == dt.datetime(2026, 11, 27, 22, 21, 4, tzinfo=dt.UTC)
    assert sorted(d.original_name for d in directive.documents.all()) == sorted(
        ["order-letter.pdf", f"mailbox-{directive.intake_items.get().pk}.eml"]
    )
    assert sorted(IntakeItem.objects.values_list("state", flat=True)) == [
        IntakeState.DISMISSED,
        IntakeState.LOGGED,
    ]
    page.goto("/intake/inbox/")
    expect(page.get_by_text("No messages waiting")).to_be_visible()
    expect(page.get_by_role("link", name="BIS-ORD-AI-2026-0417")).to_be_visible()
    assert page.evaluate(NO_PAGE_SCROLL)
