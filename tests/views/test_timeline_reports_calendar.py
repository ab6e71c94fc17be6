"""The timeline page, the compliance report (HTML, PDF, CSV) and the iCalendar feed."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from typing import Any

import pytest
from django.urls import reverse
from icalendar import Calendar

from directives.choices import EntryKind
from directives.exports.pdf import report_pdf
from directives.models import CalendarFeedToken, Directive, TimelineEntry
from directives.selectors.directives import report_data
from directives.services import directives as directive_services
from directives.services.timeline import verify_chain

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def _order(demo: dict[str, Any]) -> Directive:
    return demo["directive"]


# --- Timeline -----------------------------------------------------------------------------------------


def test_timeline_of_all_directives_with_chain_verification(client: Any, auditor: Any, demo: Any) -> None:
    client.force_login(auditor)
    response = client.get(reverse("timeline"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Every entry matches its hash" in html and "on all 4 directives" in html
    assert "Fri 27 Nov 2026, 17:21 EST · 22:21 UTC" in html
    assert "Sat 28 Nov 2026, 09:00 CET · 08:00 UTC" in html  # the Commission's entries in Brussels time


def test_timeline_filter_by_kind_and_htmx_fragment(client: Any, legal: Any, demo: Any) -> None:
    order = _order(demo)
    client.force_login(legal)
    url = reverse("directive_timeline", args=[order.pk])
    html = client.get(url, {"kind": EntryKind.ACCESS_CHANGED}).content.decode()
    assert (
        html.count('class="timeline__entry')
        == TimelineEntry.objects.filter(directive=order, kind=EntryKind.ACCESS_CHANGED).count()
    )
    fragment = client.get(url, {"kind": EntryKind.RECEIVED}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="timeline-entries"' in fragment and "<html" not in fragment
    assert "received at 17:21 EST" in fragment


def test_timeline_puts_corrections_beside_what_they_supersede(client: Any, legal: Any, demo: Any) -> None:
    order = _order(demo)
    received = TimelineEntry.objects.get(directive=order, kind=EntryKind.RECEIVED)
    directive_services.add_correction(
        entry=received, summary="Received by the general counsel.", actor=legal, now=NOW
    )
    client.force_login(legal)
    html = client.get(reverse("directive_timeline", args=[order.pk])).content.decode()
    block = html.split(f'id="entry-{received.pk}"')[1].split("</li>")[0]
    assert "timeline__correction" in block and "general counsel" in block
    assert "timeline__entry--superseded" in html.split(f'id="entry-{received.pk}"')[0].rsplit("<li", 1)[1]


# --- Report -------------------------------------------------------------------------------------------


def test_html_report_contains_every_timeline_entry(client: Any, executive: Any, demo: Any) -> None:
    order = _order(demo)
    client.force_login(executive)
    html = client.get(reverse("directive_report", args=[order.pk])).content.decode()
    entries = list(TimelineEntry.objects.filter(directive=order).order_by("seq"))
    assert len(entries) > 10
    for entry in entries:
        assert f'id="report-entry-{entry.seq}"' in html
    for doc in order.documents.all():
        assert doc.sha256 in html
    assert "Block all foreign nationals from Mythos and Fable 5" in html
    assert "✓ verified" in html
    assert "data-print" in html


def test_csv_has_one_row_per_entry_in_both_zones(client: Any, legal: Any, demo: Any) -> None:
    order = _order(demo)
    client.force_login(legal)
    response = client.get(reverse("directive_timeline_csv", args=[order.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    entries = TimelineEntry.objects.filter(directive=order).count()
    assert len(rows) == entries + 1
    assert rows[0][:5] == ["seq", "kind", "occurred_at_authority_zone", "occurred_at_utc", "recorded_at_utc"]
    received = next(r for r in rows[1:] if r[1] == "received")
    assert received[2] == "2026-11-27T17:21-05:00 EST" and received[3] == "2026-11-27T22:21:00Z"


def test_pdf_report_is_a_pdf_with_every_entry(client: Any, legal: Any, demo: Any) -> None:
    order = _order(demo)
    client.force_login(legal)
    response = client.get(reverse("directive_report_pdf", args=[order.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF") and len(body) > 5000
    # The PDF is built from the same rows as the HTML and CSV: every entry of the chain.
    data = report_data(order.pk, now=NOW)
    assert [e.seq for e in data.all_entries()] == list(
        TimelineEntry.objects.filter(directive=order).order_by("seq").values_list("seq", flat=True)
    )
    assert report_pdf(data, chain=verify_chain(order.pk), generated_at=NOW).startswith(b"%PDF")


def test_report_refused_to_anonymous(client: Any, demo: Any) -> None:
    response = client.get(reverse("directive_report", args=[_order(demo).pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- Calendar -----------------------------------------------------------------------------------------


def _new_feed_token(client: Any) -> str:
    """Make (or replace) the feed URL as a person does, and read the token from the URL shown."""
    response = client.post(reverse("calendar_reset"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    match = re.search(r'id="feed-url" value="[^"]*/calendar/([^"/]+)\.ics"', response.content.decode())
    assert match, "the new URL is shown once"
    return match.group(1)


def test_calendar_feed_token_is_shown_once_and_stored_hashed(client: Any, legal: Any) -> None:
    client.force_login(legal)
    token = _new_feed_token(client)
    stored = CalendarFeedToken.objects.get(user=legal)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(CalendarFeedToken.objects.filter(user=legal).values().get())
    page = client.get(reverse("calendar_settings")).content.decode()
    assert token not in page and 'id="feed-url"' not in page
    assert "It was shown once, when it was made." in page and "Replace the URL" in page


def test_calendar_feed_parses_and_lists_deadlines(client: Any, demo: Any) -> None:
    from django.contrib.auth import get_user_model

    engineer = get_user_model().objects.get(username="engineer")
    client.force_login(engineer)
    page = client.get(reverse("calendar_settings")).content.decode()
    assert "Create my calendar URL" in page
    token = _new_feed_token(client)
    client.logout()
    response = client.get(reverse("calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    uids = {str(e["UID"]) for e in events}
    order = _order(demo)
    open_obligations = order.obligations.filter(status__in=["open", "missed"])
    assert open_obligations.exists()
    for ob in open_obligations:
        assert f"obligation-{ob.pk}@docket" in uids
        event = next(e for e in events if str(e["UID"]) == f"obligation-{ob.pk}@docket")
        assert event.decoded("DTSTART") == ob.due_at
    assert any(uid.startswith("task-") for uid in uids)  # the engineer's own tasks


def test_calendar_feed_with_a_wrong_or_replaced_token_is_404(client: Any, legal: Any) -> None:
    client.force_login(legal)
    old = _new_feed_token(client)
    new = _new_feed_token(client)
    assert old != new
    client.logout()
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=["nope"])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 200
