"""Legal chooses how an authority counts deadlines and recomputes one, in a real browser: the
Commission's order received Saturday 28 Nov 2026 10:00 CET with "within 14 calendar days", first counted
under Docket's default (Sat 12 Dec, 10:00 CET); legal chooses EU Regulation 1182/71 and a closure day,
the deadline stays until legal recomputes it (Tue 15 Dec, 23:59:59 CET), and the timeline says who moved
it from when to when."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from directives.choices import DeadlineRule, EntryKind
from directives.models import TimelineEntry
from tests.e2e.conftest import ConsoleLog, login_as
from tests.e2e.test_legal import assert_accessible
from tests.factories import AuthorityFactory, make_directive, make_obligation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SATURDAY = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)


def test_legal_chooses_a_convention_and_recomputes_a_deadline(
    page: Any, live_server: Any, console: ConsoleLog, legal: Any
) -> None:
    commission = AuthorityFactory.create(
        name="European Commission",
        short_name="Commission",
        time_zone="Europe/Brussels",
        calendar_country="BE",
    )
    directive = make_directive(
        authority=commission, received_at=SATURDAY, actor=legal, reference="C(2026) 9001"
    )
    ob = make_obligation(
        directive, rule=DeadlineRule.CALENDAR_DAYS, amount=14, actor=legal, title="Send the assessment"
    )
    login_as(page, live_server, legal)

    page.goto(f"/directives/{directive.pk}/")
    row = page.get_by_role("row").filter(has_text="Send the assessment").first
    expect(row).to_contain_text("under Docket default")
    expect(row).to_contain_text("Sat 12 Dec 2026, 10:00 CET · 09:00 UTC")

    page.goto("/authorities/")
    page.get_by_role("link", name=re.compile("how European Commission counts deadlines")).click()
    expect(page.get_by_role("heading", name="How European Commission counts deadlines")).to_be_visible()
    assert_accessible(page, "an authority's deadlines page")
    page.get_by_role("combobox", name="Counting convention").select_option(label="EU 1182/71, Article 3")
    page.get_by_role("button", name="Use this convention").click()
    expect(page.get_by_role("status").or_(page.locator(".message--success")).first).to_contain_text(
        "counts new deadlines under EU 1182/71, Article 3"
    )
    expect(page.get_by_text("Send the assessment")).to_be_visible()  # counted under another convention

    page.get_by_label("Closed on").fill("2026-12-14")
    page.get_by_label("Name").fill("Commission closure")
    page.get_by_role("button", name="Add the closure day").click()
    expect(page.get_by_role("cell", name="Mon 14 Dec 2026", exact=True)).to_be_visible()
    expect(page.get_by_text("added by legal-test")).to_be_visible()

    page.get_by_role("link", name=re.compile("Send the assessment")).click()
    row = page.get_by_role("row").filter(has_text="Send the assessment").first
    expect(row).to_contain_text("Sat 12 Dec 2026, 10:00 CET · 09:00 UTC")  # not moved by the change
    page.locator(f"#action-obligation-{ob.pk}-recompute summary").click()
    page.locator(f"#action-obligation-{ob.pk}-recompute").get_by_role(
        "button", name="Recompute deadline"
    ).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Deadline recomputed: Send the assessment, due Sat 12 Dec 2026, 10:00 CET · 09:00 UTC → "
        "Tue 15 Dec 2026, 23:59 CET · 22:59 UTC"
    )
    row = page.get_by_role("row").filter(has_text="Send the assessment").first
    expect(row).to_contain_text("under EU 1182/71, Article 3")
    row.get_by_text("How it was counted").click()
    expect(row).to_contain_text(
        "last day Sat 12 Dec 2026 is a Saturday: moves to Tue 15 Dec 2026, past Mon 14 Dec 2026 (Commission closure)"
    )
    entry = TimelineEntry.objects.get(obligation=ob, kind=EntryKind.DEADLINE_RECOMPUTED)
    assert entry.actor_label == "legal-test"
    assert (entry.data["old_due_at"], entry.data["new_due_at"]) == (
        "2026-12-12T09:00:00+00:00",
        "2026-12-15T22:59:59+00:00",
    )
    assert console.csp_violations == []
