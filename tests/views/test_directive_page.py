"""The directive list and the directive page with legal's actions (htmx and plain POST)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directives import models
from directives.choices import (
    AccessState,
    DirectiveKind,
    DirectiveStatus,
    EntryKind,
    ObligationStatus,
    Posture,
)
from directives.models import Audience, Directive, ProductAccess, TimelineEntry
from directives.services import directives as directive_services
from tests.factories import make_directive, make_obligation, make_product, make_task

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 23, 0, tzinfo=dt.UTC)  # Friday 18:00 ET


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


# --- List -------------------------------------------------------------------------------------------


def test_list_search_and_filters(client: Any, legal: Any, order: Directive) -> None:
    other = make_directive(
        actor=legal,
        reference="EO-2026-VMR",
        title="Voluntary model review",
        kind=DirectiveKind.VOLUNTARY_REVIEW,
    )
    client.force_login(legal)
    url = reverse("directive_list")
    html = client.get(url).content.decode()
    assert order.reference in html and other.reference in html
    html = client.get(url, {"q": "foreign nationals"}).content.decode()
    assert order.reference in html and other.reference not in html
    html = client.get(url, {"kind": DirectiveKind.VOLUNTARY_REVIEW}).content.decode()
    assert order.reference not in html and other.reference in html
    html = client.get(url, {"product": order.products.get(name="Fable 5").pk}).content.decode()
    assert order.reference in html and other.reference not in html
    html = client.get(url, {"status": DirectiveStatus.CLOSED}).content.decode()
    assert "No directive matches" in html
    html = client.get(url, {"authority": order.authority_id}).content.decode()
    assert order.reference in html and other.reference not in html


def test_list_htmx_returns_only_the_results(client: Any, legal: Any, order: Directive) -> None:
    client.force_login(legal)
    response = client.get(reverse("directive_list"), {"q": "block"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="directive-results"' in html and "<html" not in html and order.reference in html


def test_list_empty_state_and_pagination(client: Any, legal: Any) -> None:
    client.force_login(legal)
    assert "No directives yet" in client.get(reverse("directive_list")).content.decode()
    authority = models.Authority.objects.create(name="Authority for paging", jurisdiction="US")
    for i in range(23):
        make_directive(actor=legal, authority=authority, reference=f"R-{i:02d}")
    first = client.get(reverse("directive_list")).content.decode()
    assert "Page 1 of 2" in first
    second = client.get(reverse("directive_list"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in second and second.count("<tr>") == 1 + 3


# --- Page -------------------------------------------------------------------------------------------


def test_page_shows_obligations_tasks_matrix_documents_timeline(
    client: Any, legal: Any, order: Directive
) -> None:
    make_obligation(order, actor=legal, amount=24, title="Report within 24 hours")
    make_task(order, actor=legal, title="Patch the jailbreak")
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = directive_services.add_document(
        directive=order,
        upload=SimpleUploadedFile("order.txt", b"the order", content_type="text/plain"),
        actor=legal,
        now=NOW,
    )
    client.force_login(legal)
    html = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    assert (
        "Report within 24 hours" in html
        and "Sat 28 Nov 2026, 17:21 EST · 22:21 UTC" in html
        and 'datetime="2026-11-28T22:21:00Z"' in html
    )
    assert "Patch the jailbreak" in html
    assert "Foreign nationals" in html and "Available" in html
    assert doc.sha256 in html
    assert "Timeline chain verified" in html
    # Only the allowed moves from Received are offered.
    status_select = html.split('name="to_status"')[1].split("</select>")[0]
    assert "Under review" in status_select and "In effect" in status_select and "Withdrawn" in status_select
    assert "Compliant" not in status_select and "Closed" not in status_select


def test_viewers_see_no_legal_actions(client: Any, executive: Any, order: Directive) -> None:
    client.force_login(executive)
    html = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    assert order.reference in html
    assert "Change status" not in html and "Record an access change" not in html and "Mark met" not in html


def test_engineer_sees_only_the_access_change(client: Any, engineer: Any, order: Directive) -> None:
    client.force_login(engineer)
    html = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    assert "Record an access change" in html
    assert "Change status" not in html and "Publish the company" not in html


def test_unknown_directive_is_a_friendly_404(client: Any, legal: Any) -> None:
    client.force_login(legal)
    response = client.get(reverse("directive_detail", args=[999]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def _count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_directive_page_queries_do_not_grow_with_the_data(client: Any, legal: Any, engineer: Any) -> None:
    def build(n: int, ref: str) -> Directive:
        directive = make_directive(
            actor=legal, reference=ref, products=[make_product(f"P{ref}-{i}") for i in range(2)]
        )
        for i in range(n):
            ob = make_obligation(directive, actor=legal, title=f"Obligation {i}")
            make_task(directive, actor=legal, title=f"Task {i}", obligation=ob, assignee=engineer)
            directive_services.record_action(
                directive=directive,
                kind=EntryKind.ACTION_RECORDED,
                summary=f"Entry {i}",
                occurred_at=NOW - dt.timedelta(minutes=5),
                actor=legal,
                now=NOW,
            )
        entry = TimelineEntry.objects.filter(directive=directive).order_by("seq").first()
        assert entry is not None
        directive_services.add_correction(entry=entry, summary="Correction", actor=legal, now=NOW)
        return directive

    small, large = build(2, "SMALL"), build(20, "LARGE")
    client.force_login(legal)
    _count_queries(client, reverse("directive_detail", args=[small.pk]))  # warm caches (holidays, roles)
    few = _count_queries(client, reverse("directive_detail", args=[small.pk]))
    many = _count_queries(client, reverse("directive_detail", args=[large.pk]))
    assert few == many, (few, many)
    assert many <= 26  # one of them: the latest directives offered in the "Link to another directive" panel


def test_a_long_directive_shows_its_first_tasks_and_latest_entries_with_the_way_to_the_rest(
    client: Any, legal: Any, engineer: Any, order: Directive
) -> None:
    """The page's cost does not grow with the directive's history: at most 50 tasks (open ones first,
    soonest due first) and the latest 50 entries, with the totals and links to all of them."""
    received = order.received_at
    tasks = [
        make_task(
            order,
            actor=legal,
            title=f"Task {i:02d}",
            assignee=engineer,
            due_at=received + dt.timedelta(days=1, hours=i),
        )
        for i in range(55)
    ]
    from directives.services import tasks as task_services

    task_services.resolve_task(
        task=tasks[0], actor=engineer, resolution="Patched", now=received + dt.timedelta(hours=2)
    )
    first_entry = TimelineEntry.objects.filter(directive=order).order_by("seq").first()
    assert first_entry is not None
    total_entries = TimelineEntry.objects.filter(directive=order).count()
    assert total_entries > 50
    client.force_login(legal)

    html = client.get(reverse("directive_detail", args=[order.pk])).content.decode()

    assert "54 open of 55" in html
    assert "Showing the first 50 of 55 tasks" in html
    assert f'href="{reverse("task_list")}?directive={order.pk}"' in html
    shown = [f"Task {i:02d}" for i in range(55) if f">Task {i:02d}</a>" in html]
    assert shown == [f"Task {i:02d}" for i in range(1, 51)]  # open, soonest due; the resolved one is not
    assert f"The latest 50 of {total_entries} entries" in html
    assert f'href="{reverse("directive_timeline", args=[order.pk])}"' in html
    assert f'<option value="{first_entry.pk}">#1 ' not in html  # entry #1 is older than the latest 50

    # "Correct" on the full timeline page opens the form on the directive page with the older entry chosen.
    html = client.get(
        reverse("directive_detail", args=[order.pk]), {"correct": first_entry.pk}
    ).content.decode()
    assert f'<option value="{first_entry.pk}" selected>#1 ' in html
    for hostile in ("99999999999999999999999999", "-1", "1e3", "abc"):  # no entry chosen, no error
        response = client.get(reverse("directive_detail", args=[order.pk]), {"correct": hostile})
        assert response.status_code == 200 and " selected>#" not in response.content.decode()

    # The full timeline and the task list still show everything.
    full = client.get(reverse("directive_timeline", args=[order.pk])).content.decode()
    assert f"#{first_entry.seq}" in full
    listed = client.get(reverse("task_list"), {"directive": order.pk}).content.decode()
    assert "55" in listed


# --- Actions ----------------------------------------------------------------------------------------


def _action(directive: Directive, name: str) -> str:
    return reverse("directive_action", args=[directive.pk, name])


def test_record_what_happened_backdated_keeps_the_recorded_time(
    client: Any, legal: Any, order: Directive
) -> None:
    client.force_login(legal)
    response = client.post(
        _action(order, "record"),
        {
            "kind": EntryKind.ACKNOWLEDGED,
            "summary": "Receipt acknowledged to BIS by email.",
            "occurred_date": "2026-11-27",
            "occurred_time": "17:35",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="directive-detail"' in html and "<html" not in html
    assert "Recorded #2: Acknowledged at Fri 27 Nov 2026, 17:35 EST · 22:35 UTC." in html
    entry = TimelineEntry.objects.get(directive=order, kind=EntryKind.ACKNOWLEDGED)
    assert entry.occurred_at == dt.datetime(2026, 11, 27, 22, 35, tzinfo=dt.UTC)
    assert entry.recorded_at == NOW
    assert (
        'recorded <time datetime="2026-11-27T23:00:00Z">Fri 27 Nov 2026, 18:00:00 EST · 23:00:00 UTC</time>'
        in html
    )


def test_record_in_the_future_is_refused_with_the_form_kept(
    client: Any, legal: Any, order: Directive
) -> None:
    client.force_login(legal)
    response = client.post(
        _action(order, "record"),
        {
            "kind": EntryKind.COMMENT,
            "summary": "Later",
            "occurred_date": "2026-11-28",
            "occurred_time": "09:00",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#action-record"
    html = response.content.decode()
    assert "That time is in the future." in html and "Later</textarea>" in html


def test_status_change_and_stale_version_is_a_409(client: Any, legal: Any, order: Directive) -> None:
    client.force_login(legal)
    data = {
        "to_status": DirectiveStatus.IN_EFFECT,
        "note": "",
        "occurred_date": "2026-11-27",
        "occurred_time": "17:21",
        "version": order.version,
    }
    response = client.post(_action(order, "status"), data)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == DirectiveStatus.IN_EFFECT
    # The same form again, from a page opened before the change: the move and the version are stale.
    data["to_status"] = DirectiveStatus.IN_REMEDIATION
    response = client.post(_action(order, "status"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "was changed" in response.content.decode()
    order.refresh_from_db()
    assert order.status == DirectiveStatus.IN_EFFECT


def test_a_move_not_allowed_is_refused(client: Any, legal: Any, order: Directive) -> None:
    client.force_login(legal)
    response = client.post(
        _action(order, "status"),
        {
            "to_status": DirectiveStatus.CLOSED,
            "occurred_date": "2026-11-27",
            "occurred_time": "17:30",
            "version": order.version,
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    order.refresh_from_db()
    assert order.status == DirectiveStatus.RECEIVED


def test_access_change_suspends_for_all_users(client: Any, engineer: Any, order: Directive) -> None:
    fable = order.products.get(name="Fable 5")
    audiences = list(Audience.objects.all())
    client.force_login(engineer)
    response = client.post(
        _action(order, "access"),
        {
            "product": fable.pk,
            "audiences": [a.pk for a in audiences],
            "state": AccessState.SUSPENDED,
            "occurred_date": "2026-11-27",
            "occurred_time": "17:48",
            "reason": "Total shutdown",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert set(ProductAccess.objects.filter(product=fable).values_list("state", flat=True)) == {"suspended"}
    entry = TimelineEntry.objects.get(directive=order, kind=EntryKind.ACCESS_CHANGED)
    assert entry.occurred_at == dt.datetime(2026, 11, 27, 22, 48, tzinfo=dt.UTC)


def test_executive_cannot_act_but_may_comment(client: Any, executive: Any, order: Directive) -> None:
    client.force_login(executive)
    for name in ("status", "access", "statement", "correction"):
        response = client.post(_action(order, name), {})
        assert response.status_code == 403, name
    assert client.post(_action(order, "record"), {}).status_code == 400  # the comment form, empty
    assert TimelineEntry.objects.filter(directive=order).count() == 1


def test_statement_with_posture(client: Any, legal: Any, order: Directive) -> None:
    client.force_login(legal)
    response = client.post(
        _action(order, "statement"),
        {
            "text": "We disagree with the order but comply.",
            "url": "https://example.com/statement",
            "posture": Posture.UNDER_PROTEST,
            "occurred_date": "2026-11-27",
            "occurred_time": "18:00",
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.posture == Posture.UNDER_PROTEST
    assert TimelineEntry.objects.filter(directive=order, kind=EntryKind.STATEMENT_PUBLISHED).exists()


def test_correction_is_shown_beside_the_entry_it_supersedes(
    client: Any, legal: Any, order: Directive
) -> None:
    received = TimelineEntry.objects.get(directive=order, kind=EntryKind.RECEIVED)
    client.force_login(legal)
    page = client.get(reverse("directive_detail", args=[order.pk]), {"correct": received.pk}).content.decode()
    assert f'<option value="{received.pk}" selected>' in page
    response = client.post(
        _action(order, "correction"),
        {"entry": received.pk, "summary": "Received by the general counsel, not by email."},
    )
    assert response.status_code == 302
    correction = TimelineEntry.objects.get(directive=order, kind=EntryKind.CORRECTION)
    assert correction.supersedes_id == received.pk
    html = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    block = html.split(f'id="entry-{received.pk}"')[1].split("</li>")[0]
    assert "timeline__correction" in block and "not by email" in block


def test_correction_of_another_directives_entry_is_refused(client: Any, legal: Any, order: Directive) -> None:
    other = make_directive(actor=legal, reference="OTHER")
    foreign = TimelineEntry.objects.get(directive=other, kind=EntryKind.RECEIVED)
    client.force_login(legal)
    response = client.post(_action(order, "correction"), {"entry": foreign.pk, "summary": "x"})
    assert response.status_code == 400
    assert not TimelineEntry.objects.filter(kind=EntryKind.CORRECTION).exists()


def test_mark_obligation_met_and_waive(client: Any, legal: Any, order: Directive) -> None:
    block = make_obligation(order, actor=legal, rule="immediately", amount=None, title="Block")
    plan = make_obligation(order, actor=legal, rule="business_days", amount=2, title="Plan")
    client.force_login(legal)
    response = client.post(
        reverse("obligation_action", args=[order.pk, block.pk, "met"]),
        {
            "obligation": block.pk,
            "occurred_date": "2026-11-27",
            "occurred_time": "17:48",
            "version": block.version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    block.refresh_from_db()
    assert block.status == ObligationStatus.MET
    assert block.met_at == dt.datetime(2026, 11, 27, 22, 48, tzinfo=dt.UTC)
    response = client.post(
        reverse("obligation_action", args=[order.pk, plan.pk, "waive"]),
        {"obligation": plan.pk, "reason": "Superseded by the lifting order", "version": plan.version},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ObligationStatus.WAIVED
    # Met twice: a 409 with the reason, not a 500.
    response = client.post(
        reverse("obligation_action", args=[order.pk, block.pk, "met"]),
        {"obligation": block.pk, "occurred_date": "2026-11-27", "occurred_time": "17:50"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert "cannot move from Met" in response.content.decode()
    assert response["HX-Retarget"] == f"#action-obligation-{block.pk}-met"


def test_the_list_search_stems_on_either_backend(client: Any, legal: Any, order: Directive) -> None:
    make_directive(actor=legal, reference="EO-2026-VMR", title="Voluntary model review")
    client.force_login(legal)
    # "blocking" finds "block" by its stem, which icontains cannot; references still match literally.
    html = client.get(reverse("directive_list"), {"q": "blocking nationals"}).content.decode()
    assert order.reference in html and "EO-2026-VMR" not in html
    html = client.get(reverse("directive_list"), {"q": "BIS-ORD-AI"}).content.decode()
    assert order.reference in html


def test_list_queries_do_not_grow_with_the_data(client: Any, legal: Any) -> None:
    products = [make_product("Mythos"), make_product("Fable 5")]
    for i in range(3):
        make_directive(actor=legal, reference=f"FEW-{i}", products=products)
    client.force_login(legal)
    _count_queries(client, reverse("directive_list"))
    few = _count_queries(client, reverse("directive_list"))
    for i in range(17):
        make_directive(actor=legal, reference=f"MANY-{i}", products=products)
    many = _count_queries(client, reverse("directive_list"))
    assert few == many, (few, many)


def test_a_domain_error_no_view_expected_is_a_clear_page_not_a_500(
    client: Any, legal: Any, order: Directive, monkeypatch: Any
) -> None:
    from directives.errors import StaleVersion
    from directives.views import directive_page as page_views

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise StaleVersion("This directive was changed by someone else; reload the page.")

    monkeypatch.setattr(page_views, "directive_page", refuse)
    client.force_login(legal)
    response = client.get(reverse("directive_detail", args=[order.pk]))
    assert response.status_code == 409
    html = response.content.decode()
    assert "That conflicts with the current state" in html and "reload the page" in html
