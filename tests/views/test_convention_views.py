"""Conventions in the browser's pages (server side): legal chooses an authority's convention and keeps its
closure days; the directive page, the intake preview and the report say how each deadline was counted;
recomputing from the directive page is recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from directives.choices import DeadlineRule, EntryKind
from directives.models import Authority, ClosureDay, Obligation, TimelineEntry
from tests.factories import AuthorityFactory, make_directive, make_obligation
from tests.views.test_intake import _post_data

pytestmark = pytest.mark.django_db
SATURDAY = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)  # Sat 28 Nov 2026, 10:00 CET


@pytest.fixture
def commission(db: Any) -> Authority:
    return AuthorityFactory.create(
        name="European Commission",
        short_name="Commission",
        time_zone="Europe/Brussels",
        calendar_country="BE",
    )


def test_legal_chooses_a_convention_on_the_authoritys_page(
    client: Any, legal: Any, commission: Authority
) -> None:
    client.force_login(legal)
    page = client.get(reverse("authority_deadlines", args=[commission.pk]))
    assert page.status_code == 200 and "Docket default" in page.content.decode()
    response = client.post(
        reverse("authority_deadlines", args=[commission.pk]),
        {
            "preset": "eu_1182_71",
            "day_end": "end_of_day",
            "deemed_receipt": "as_received",
            "min_working_days": "0",
            "version": commission.version,
        },
        follow=True,
    )
    html = response.content.decode()
    assert "counts new deadlines under EU 1182/71, Article 3" in html
    commission.refresh_from_db()
    assert commission.deadline_convention["preset"] == "eu_1182_71"
    listing = client.get(reverse("authority_list")).content.decode()
    assert "EU 1182/71, Article 3" in listing


def test_a_bad_convention_is_a_form_error_that_keeps_the_input(
    client: Any, legal: Any, commission: Authority
) -> None:
    client.force_login(legal)
    response = client.post(
        reverse("authority_deadlines", args=[commission.pk]),
        {
            "preset": "custom",
            "day_end": "close_of_business",
            "deemed_receipt": "next_opening",
            "opens": "18:00",
            "closes": "17:00",
            "min_working_days": "0",
        },
    )
    assert response.status_code == 422  # each value well-formed, the two disagree
    html = response.content.decode()
    assert "Business hours must open before they close (opens 18:00, closes 17:00)." in html
    assert 'value="18:00"' in html


def test_closure_days_are_added_and_removed_with_who_and_when(
    client: Any, legal: Any, commission: Authority
) -> None:
    client.force_login(legal)
    bad = client.post(reverse("closure_add", args=[commission.pk]), {"day": "24/12/2026", "name": "Closure"})
    assert bad.status_code == 400
    response = client.post(
        reverse("closure_add", args=[commission.pk]),
        {"day": "2026-12-24", "name": "Commission closure"},
        follow=True,
    )
    html = response.content.decode()
    assert "keeps Thu 24 Dec 2026 closed (Commission closure)" in html
    assert "added by legal-test" in html
    closure = ClosureDay.objects.get(authority=commission)
    html = client.post(
        reverse("closure_remove", args=[commission.pk, closure.pk]), follow=True
    ).content.decode()
    assert "no longer keeps Thu 24 Dec 2026 closed" in html and "removed by legal-test" in html


def test_the_directive_page_and_report_say_how_it_was_counted_and_recompute_is_recorded(
    client: Any, legal: Any, commission: Authority
) -> None:
    commission.deadline_convention = {"preset": "eu_1182_71"}
    commission.save()
    directive = make_directive(authority=commission, received_at=SATURDAY, actor=legal)
    ob = make_obligation(directive, rule=DeadlineRule.CALENDAR_DAYS, amount=14, actor=legal)
    client.force_login(legal)
    html = client.get(reverse("directive_detail", args=[directive.pk])).content.decode()
    assert "under EU 1182/71, Article 3" in html
    assert "last day Sat 12 Dec 2026 is a Saturday: moves to Mon 14 Dec 2026" in html
    report = client.get(reverse("directive_report", args=[directive.pk])).content.decode()
    assert "How it was counted: received Sat 28 Nov 2026, 10:00 CET" in report

    client.post(
        reverse("closure_add", args=[commission.pk]), {"day": "2026-12-14", "name": "Commission closure"}
    )
    url = reverse("obligation_action", args=[directive.pk, ob.pk, "recompute"])
    html = client.post(url, {"obligation": ob.pk, "version": ob.version}, follow=True).content.decode()
    assert "Deadline recomputed: Block foreign nationals, due Mon 14 Dec 2026, 23:59 CET" in html
    assert "→ Tue 15 Dec 2026, 23:59 CET" in html
    entry = TimelineEntry.objects.get(obligation=ob, kind=EntryKind.DEADLINE_RECOMPUTED)
    assert entry.actor_label == "legal-test"


def test_an_obligation_override_from_the_directive_page(
    client: Any, legal: Any, commission: Authority
) -> None:
    directive = make_directive(authority=commission, received_at=SATURDAY, actor=legal)
    ob = make_obligation(directive, rule=DeadlineRule.BUSINESS_DAYS, amount=10, actor=legal)
    client.force_login(legal)
    url = reverse("obligation_action", args=[directive.pk, ob.pk, "convention"])
    data = {
        "obligation": ob.pk,
        "version": ob.version,
        "preset": "custom",
        "day_end": "end_of_day",
        "deemed_receipt": "next_opening",
        "opens": "09:00",
        "closes": "17:00",
        "min_working_days": "0",
    }
    html = client.post(url, data, follow=True).content.decode()
    assert "its due instant moves only when recomputed" in html
    ob.refresh_from_db()
    before = ob.due_at
    client.post(
        reverse("obligation_action", args=[directive.pk, ob.pk, "recompute"]),
        {"obligation": ob.pk, "version": ob.version},
    )
    ob.refresh_from_db()
    assert before != ob.due_at == dt.datetime(2026, 12, 14, 22, 59, 59, tzinfo=dt.UTC)


def test_the_intake_preview_says_how_it_was_counted(client: Any, legal: Any) -> None:
    commerce = AuthorityFactory(name="U.S. Department of Commerce", deadline_convention={"preset": "frcp_6a"})
    client.force_login(legal)
    data = _post_data(commerce, [])
    data["row"] = "obligations-1"
    html = client.post(reverse("directive_preview_due"), data, HTTP_HX_REQUEST="true").content.decode()
    assert "Tue 01 Dec 2026, 23:59 EST" in html
    assert (
        "How it was counted: received Fri 27 Nov 2026, 17:21 EST → 2 business days under US FRCP Rule 6(a)"
        in html
    )


def test_only_legal_keeps_conventions(client: Any, engineer: Any, commission: Authority) -> None:
    client.force_login(engineer)
    assert client.get(reverse("authority_deadlines", args=[commission.pk])).status_code == 403
    assert (
        client.post(
            reverse("closure_add", args=[commission.pk]), {"day": "2026-12-24", "name": "x"}
        ).status_code
        == 403
    )


def test_the_authority_page_lists_open_obligations_counted_under_another_convention(
    client: Any, legal: Any, commission: Authority
) -> None:
    directive = make_directive(authority=commission, received_at=SATURDAY, actor=legal)
    make_obligation(directive, rule=DeadlineRule.CALENDAR_DAYS, amount=14, actor=legal, title="Assess")
    client.force_login(legal)
    url = reverse("authority_deadlines", args=[commission.pk])
    assert "None: each of the 1 open obligations was counted under the current convention." in (
        client.get(url).content.decode()
    )
    client.post(
        url,
        {
            "preset": "frcp_6a",
            "day_end": "end_of_day",
            "deemed_receipt": "as_received",
            "min_working_days": "0",
            "version": commission.version,
        },
    )
    html = client.get(url).content.decode()
    assert "Assess</a> — due Sat 12 Dec 2026, 10:00 CET · 09:00 UTC, counted under Docket default" in html
    note = TimelineEntry.objects.get(directive=directive, kind=EntryKind.CONVENTION_CHANGED)
    assert note.summary.startswith(
        "Commission's counting convention changed by legal-test: Docket default → US FRCP Rule 6(a)"
    )


def test_an_obligation_is_counted_under_a_preset_chosen_at_intake(client: Any, legal: Any) -> None:
    commerce = AuthorityFactory(name="U.S. Department of Commerce")
    client.force_login(legal)
    data = _post_data(
        commerce,
        [],
        **{"obligations-1-deadline_rule": "calendar_days", "obligations-1-deadline_amount": "30"},
    )
    data["obligations-1-convention"] = "frcp_6a"
    preview = client.post(reverse("directive_preview_due"), {**data, "row": "obligations-1"}).content.decode()
    assert "30 calendar days under US FRCP Rule 6(a)" in preview and "Mon 28 Dec 2026, 23:59 EST" in preview
    response = client.post(reverse("directive_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ob = Obligation.objects.get(title="Submit a remediation plan")
    assert ob.convention is not None and ob.convention["preset"] == "frcp_6a"
    assert ob.due_convention["preset"] == "frcp_6a"
    assert ob.due_at == dt.datetime(2026, 12, 29, 4, 59, 59, tzinfo=dt.UTC)  # Mon 28 Dec 23:59:59 EST


def test_the_authority_edit_page_links_to_its_conventions(
    client: Any, legal: Any, commission: Authority
) -> None:
    client.force_login(legal)
    html = client.get(reverse("authority_edit", args=[commission.pk])).content.decode()
    assert "Deadlines counted under Docket default" in html
    assert reverse("authority_deadlines", args=[commission.pk]) in html
