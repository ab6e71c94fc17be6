"""Legal takes an order in from its e-mail, in a real browser: a real .eml and a real Outlook .msg, each
with a PDF and a Word letter attached, fill the intake form in; the receipt instant is the one the company's
own mail server stamped (the trusted Received: header, to the second), the documents' hashes are the
attachments', and a word found only inside the PDF finds the directive, with the passage marked."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from directives.models import Directive, SenderMapping
from directives.services import documents as document_services
from tests.documents.samples import ORDER_RECEIVED, TRUSTED, WORD, docx_bytes, order_eml, order_msg, pdf_bytes
from tests.e2e.conftest import login_as
from tests.factories import AuthorityFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ENTERED = dt.datetime(2026, 11, 27, 22, 21, 4, tzinfo=dt.UTC)  # mx1's stamp: 17:21:04 EST


@pytest.mark.parametrize("kind", ["eml", "msg"])
def test_an_order_taken_in_from_its_email(
    kind: str, page: Any, live_server: Any, legal: Any, settings: Any
) -> None:
    settings.DOCKET_TRUSTED_MAIL_HOSTS = TRUSTED
    bis = AuthorityFactory.create(name="Bureau of Industry and Security", time_zone="America/New_York")
    SenderMapping.objects.create(sender="@bis.example.gov", authority=bis)
    pdf = pdf_bytes("Annex: the quarantined checkpoint must stay offline until BIS lifts the controls.")
    docx = docx_bytes("Letter of the Under Secretary")
    files = [("order-letter.pdf", "application/pdf", pdf), ("letter.docx", WORD, docx)]
    if kind == "eml":
        message, content_type = order_eml(files), "message/rfc822"
    else:
        headers = "".join(f"Received: {h}\r\n" for h in ORDER_RECEIVED)
        message, content_type = order_msg(files, headers), "application/vnd.ms-outlook"

    login_as(page, live_server, legal)
    page.goto("/directives/new/")
    page.set_input_files(
        "#id_message", files=[{"name": f"order.{kind}", "mimeType": content_type, "buffer": message}]
    )
    page.get_by_role("button", name="Read the e-mail").click()

    notice = page.locator("#from-message")
    expect(notice).to_contain_text(f"Filled in from order.{kind}")
    expect(notice).to_contain_text("Bureau of Industry and Security, mapped from the sender's address")
    expect(notice).to_contain_text("taken from the Received: header added by mx1.company.example")
    expect(notice).to_contain_text("Fri 27 Nov 2026")
    expect(page.locator("#id_received_time")).to_have_value("17:21:04")
    expect(page.locator("#id_title")).to_have_value("Order BIS-ORD-AI-2026-0417: block foreign nationals")
    page.get_by_label("Reference").fill(f"BIS-ORD-AI-2026-0417-{kind}")
    # The page's own requests (the obligation row's live preview) are answered before the submit, as
    # they are before a person reaches the button: the test server shares one SQLite connection.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Log the order").click()

    expect(page).to_have_url(re.compile(r"/directives/\d+/$"))
    directive = Directive.objects.get(reference=f"BIS-ORD-AI-2026-0417-{kind}")
    assert directive.received_at == ENTERED
    assert directive.authority == bis
    stored = {d.original_name: d.sha256 for d in directive.documents.all()}
    assert stored == {
        f"order.{kind}": hashlib.sha256(message).hexdigest(),
        "order-letter.pdf": hashlib.sha256(pdf).hexdigest(),
        "letter.docx": hashlib.sha256(docx).hexdigest(),
    }

    document_services.extract_pending_texts()  # what beat's extraction job does within seconds
    page.goto("/search/?q=quarantine")
    hit = page.locator(".search-hit").filter(has_text="order-letter.pdf")
    expect(hit).to_contain_text(directive.reference)
    expect(hit.locator("mark")).to_have_text("quarantined")
