"""Legal works the intake mailbox's queue through the pages: the waiting messages listed with their sender,
subject and receipt instant in words; "Log it" opens the intake form filled in as from an uploaded message,
and logging closes the message with the new directive; "Dismiss" needs a reason and says who and why."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.urls import reverse

from directives.models import Directive, IntakeItem, IntakeState, SenderMapping, TimelineEntry
from directives.services import mailbox
from tests.documents.samples import TRUSTED, order_eml, pdf_bytes
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 27, 22, 30, tzinfo=dt.UTC)


@pytest.fixture
def queued(settings: Any, tmp_path: Any) -> tuple[IntakeItem, bytes, bytes]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCKET_TRUSTED_MAIL_HOSTS = TRUSTED
    pdf = pdf_bytes("The letter.")
    message = order_eml([("letter.pdf", "application/pdf", pdf)])
    assert mailbox.queue_message(message, uid="7", mailbox="intake@imap/INBOX", now=NOW)
    return IntakeItem.objects.get(), message, pdf


def _intake_post(form: Any, authority: Any, staged: list[Any], item: IntakeItem) -> dict[str, Any]:
    return {
        "authority": authority.pk,
        "reference": "BIS-0417",
        "title": form.initial["title"],
        "kind": "mandatory_order",
        "received_date": "2026-11-27",
        "received_time": "17:21:04",
        "delivery_channel": "email",
        "summary": form.initial["summary"],
        "staged": [s.token for s in staged],
        "intake_item": str(item.pk),
        "intake_item_version": str(item.version),
        "products-TOTAL_FORMS": "0",
        "products-INITIAL_FORMS": "0",
        "obligations-TOTAL_FORMS": "0",
        "obligations-INITIAL_FORMS": "0",
    }


def test_the_queue_lists_waiting_messages_for_legal(client: Any, legal: Any, queued: Any) -> None:
    client.force_login(legal)
    html = client.get(reverse("intake_inbox")).content.decode()
    assert "Order BIS-ORD-AI-2026-0417: block foreign nationals" in html
    assert "BIS Enforcement &lt;enforcement@bis.example.gov&gt;" in html
    assert "Received Fri 27 Nov 2026, 17:21:04 EST · 22:21:04 UTC" in html
    assert 'datetime="2026-11-27T22:21:04Z"' in html
    assert "receipt from the Received: header added by mx1.company.example" in html
    assert 'href="/intake/inbox/"' in html  # the nav link


def test_the_queue_is_legals_only(client: Any, engineer: Any, queued: Any) -> None:
    client.force_login(engineer)
    assert client.get(reverse("intake_inbox")).status_code == 403
    assert 'href="/intake/inbox/"' not in client.get("/").content.decode()


def test_log_it_fills_the_form_in_and_logging_closes_the_message(
    client: Any, legal: Any, queued: Any
) -> None:
    item, message, pdf = queued
    bis: Any = AuthorityFactory(name="BIS", time_zone="America/New_York")
    SenderMapping.objects.create(sender="@bis.example.gov", authority=bis)
    client.force_login(legal)
    page = client.post(reverse("intake_item_log", args=[item.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Filled in from the intake mailbox's message" in html
    assert "BIS</strong>, mapped from the sender" in html
    assert "taken from the Received: header added by mx1.company.example" in html
    assert f'name="intake_item" value="{item.pk}"' in html
    staged = page.context["staged"]
    assert [s.name for s in staged] == [f"mailbox-{item.pk}.eml", "letter.pdf"]

    response = client.post(reverse("directive_create"), _intake_post(page.context["form"], bis, staged, item))
    assert response.status_code == 302, response.content.decode()[:3000]
    directive = Directive.objects.get(reference="BIS-0417")
    assert directive.received_at == dt.datetime(2026, 11, 27, 22, 21, 4, tzinfo=dt.UTC)
    assert {d.original_name: d.sha256 for d in directive.documents.all()} == {
        f"mailbox-{item.pk}.eml": hashlib.sha256(message).hexdigest(),
        "letter.pdf": hashlib.sha256(pdf).hexdigest(),
    }
    item.refresh_from_db()
    assert (item.state, item.directive, item.closed_by) == (IntakeState.LOGGED, directive, legal)
    first = TimelineEntry.objects.filter(directive=directive).order_by("seq").first()
    assert first is not None and first.occurred_at == directive.received_at  # the receipt, as usual
    html = client.get(reverse("intake_inbox")).content.decode()
    assert "No messages waiting" in html
    assert "logged as" in html and "BIS-0417" in html

    # Logged once: the same submit again is refused and keeps nothing.
    again = _intake_post(page.context["form"], bis, [], item)
    again["reference"] = "BIS-0418"
    refused = client.post(reverse("directive_create"), again)
    assert refused.status_code == 409
    assert "logged already" in refused.content.decode()
    assert not Directive.objects.filter(reference="BIS-0418").exists()


def test_dismiss_needs_a_reason_and_says_who(client: Any, legal: Any, queued: Any) -> None:
    item = queued[0]
    client.force_login(legal)
    url = reverse("intake_item_dismiss", args=[item.pk])
    empty = client.post(url, {"reason": "  ", "version": item.version})
    assert empty.status_code == 400
    assert "reason is required" in empty.content.decode()
    item.refresh_from_db()
    assert item.state == IntakeState.WAITING

    done = client.post(url, {"reason": "A newsletter, not an order", "version": item.version}, follow=True)
    assert done.status_code == 200
    html = done.content.decode()
    assert "dismissed (A newsletter, not an order) by" in html
    item.refresh_from_db()
    assert (item.state, item.closed_by, item.dismissed_reason) == (
        IntakeState.DISMISSED,
        legal,
        "A newsletter, not an order",
    )
    assert client.post(reverse("intake_item_log", args=[item.pk])).status_code == 409


def test_a_stale_dismiss_is_refused(client: Any, legal: Any, queued: Any) -> None:
    item = queued[0]
    client.force_login(legal)
    url = reverse("intake_item_dismiss", args=[item.pk])
    stale = client.post(url, {"reason": "Duplicate", "version": item.version + 5})
    assert stale.status_code == 409
    assert IntakeItem.objects.get().state == IntakeState.WAITING


def test_an_unreadable_message_says_so_on_the_queue(
    client: Any, legal: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    mailbox.queue_message(b"\r\n\r\nnothing\r\n", uid="1", mailbox="m", now=NOW)
    item = IntakeItem.objects.get()
    client.force_login(legal)
    html = client.get(reverse("intake_inbox")).content.decode()
    assert "(no subject)" in html and "an unknown sender" in html
    refused = client.post(reverse("intake_item_log", args=[item.pk]))
    assert refused.status_code == 400
    assert "The file is not an e-mail" in refused.content.decode()
