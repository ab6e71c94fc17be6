"""Instants outside the window Docket accepts: every write path refuses them with a 400 naming the field
and stores nothing; an instant already stored outside the window (a row from before the window existed)
still renders on every page and export."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from directives import instants
from directives.choices import EntryKind, Role
from directives.exports.ical import deadlines_calendar
from directives.models import Directive, Obligation, RemediationTask, TimelineEntry
from directives.selectors.calendar import deadlines_of
from directives.services import timeline as timeline_services
from tests.api.conftest import client_for, directive_body, new_authority
from tests.factories import UserFactory, make_directive, make_obligation, make_product, make_task

pytestmark = pytest.mark.django_db

YEAR_1 = "0001-01-01T00:00:00Z"
YEAR_9999 = "9999-12-31T23:59:59Z"
RECEIVED = dt.datetime(2026, 11, 27, 22, 21, tzinfo=dt.UTC)


def counts() -> tuple[int, int, int, int]:
    return (
        Directive.objects.count(),
        TimelineEntry.objects.count(),
        Obligation.objects.count(),
        RemediationTask.objects.count(),
    )


@pytest.fixture
def order(legal: Any, engineer: Any) -> Directive:
    directive = make_directive(actor=legal, received_at=RECEIVED, products=[make_product("Fable 5")])
    make_task(directive, actor=legal, assignee=engineer)
    return directive


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert body["field"] == field, body
    assert "1970" in body["detail"] or "days before" in body["detail"], body


def _api_cases(order: Directive) -> list[tuple[str, dict[str, Any], str]]:
    product = order.product_links.get().product_id
    task = order.tasks.get()
    base = {"directive": order.pk}
    return [
        (
            f"/api/v1/products/{product}/access/",
            {**base, "audiences": ["foreign-nationals"], "state": "suspended", "occurred_at": YEAR_1},
            "occurred_at",
        ),
        (
            f"/api/v1/directives/{order.pk}/timeline/",
            {"kind": "action_recorded", "summary": "Far past", "occurred_at": YEAR_1},
            "occurred_at",
        ),
        (
            f"/api/v1/directives/{order.pk}/statement/",
            {"text": "We comply.", "occurred_at": YEAR_1},
            "occurred_at",
        ),
        (
            f"/api/v1/directives/{order.pk}/transition/",
            {"to_status": "under_review", "occurred_at": YEAR_1, "version": order.version},
            "occurred_at",
        ),
        ("/api/v1/directives/", directive_body(new_authority().pk, received_at=YEAR_1), "received_at"),
        (
            "/api/v1/directives/",
            directive_body(new_authority().pk, effective_from=YEAR_9999),
            "effective_from",
        ),
        (
            "/api/v1/obligations/",
            {**base, "title": "By a stated instant", "deadline_rule": "by_instant", "deadline_at": YEAR_1},
            "deadline_at",
        ),
        ("/api/v1/tasks/", {**base, "title": "Far future", "due_at": YEAR_9999}, "due_at"),
        (f"/api/v1/tasks/{task.pk}/due/", {"due_at": YEAR_9999, "version": task.version}, "due_at"),
    ]


def test_every_api_write_refuses_an_instant_outside_the_window(order: Directive, legal: Any) -> None:
    client = client_for(UserFactory(username="hostile-staff", is_staff=True, is_superuser=True))
    for url, body, field in _api_cases(order):
        before = counts()
        response = client.post(url, body, format="json")
        _refused(response, field)
        assert counts() == before, url


def test_an_event_long_before_the_receipt_is_refused(order: Directive, legal: Any) -> None:
    client = client_for(legal)
    long_before = (RECEIVED - instants.MAX_BEFORE_RECEIPT - dt.timedelta(days=1)).isoformat()
    before = counts()
    response = client.post(
        f"/api/v1/directives/{order.pk}/timeline/",
        {"kind": "action_recorded", "summary": "Background", "occurred_at": long_before},
        format="json",
    )
    assert response.status_code == 400 and response.json()["field"] == "occurred_at"
    assert "366 days before the directive was received" in response.json()["detail"]
    assert counts() == before
    within = (RECEIVED - dt.timedelta(days=30)).isoformat()
    kept = client.post(
        f"/api/v1/directives/{order.pk}/timeline/",
        {"kind": "action_recorded", "summary": "A month before", "occurred_at": within},
        format="json",
    )
    assert kept.status_code == 201, kept.json()


def test_the_record_form_refuses_year_9999_next_to_the_field_and_keeps_the_input(
    client: Client, order: Directive, legal: Any
) -> None:
    client.force_login(legal)
    before = counts()
    response = client.post(
        reverse("directive_action", args=[order.pk, "record"]),
        {
            "kind": "action_recorded",
            "summary": "Typed by hand",
            "occurred_date": "9999-12-31",
            "occurred_time": "23:59",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Happened on must be between 1970 and 2199." in html
    assert 'value="9999-12-31"' in html and "Typed by hand" in html
    assert counts() == before


def test_the_due_form_refuses_year_9999(client: Client, order: Directive, legal: Any) -> None:
    task = order.tasks.get()
    client.force_login(legal)
    before = counts()
    response = client.post(
        reverse("task_due", args=[task.pk]), {"due_at": "9999-12-31T23:59", "version": task.version}
    )
    assert response.status_code == 400
    assert "Due must be between 1970 and 2199." in response.content.decode()
    assert counts() == before
    task.refresh_from_db()
    assert task.due_at is None


def _store_out_of_window_rows(order: Directive, actor: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows as they were stored before the window existed: an entry in year 1 (through the one writer,
    with its check switched off), a task due at the end of year 9999, an obligation due in year 1."""
    with monkeypatch.context() as patched:
        for check in ("check_window", "check_not_long_before"):
            patched.setattr(timeline_services.instants, check, lambda value, **_: value)
        timeline_services.append_entry(
            directive=order,
            kind=EntryKind.ACTION_RECORDED,
            occurred_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC),
            actor=None,
            summary="Stored in year 1",
            now=RECEIVED + dt.timedelta(hours=1),
        )
    RemediationTask.objects.filter(directive=order).update(
        due_at=dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    )
    obligation = make_obligation(order, actor=actor)
    Obligation.objects.filter(pk=obligation.pk).update(due_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC))


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York"])
def test_a_stored_out_of_window_instant_renders_everywhere(
    client: Client, legal: Any, engineer: Any, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    order = make_directive(
        actor=legal,
        authority=new_authority(time_zone=zone),
        received_at=RECEIVED,
        products=[make_product("Fable 5")],
    )
    make_task(order, actor=legal, assignee=engineer)
    _store_out_of_window_rows(order, legal, monkeypatch)
    task = order.tasks.get()
    pages = [
        reverse("directive_detail", args=[order.pk]),
        reverse("directive_timeline", args=[order.pk]),
        reverse("timeline"),
        reverse("directive_report", args=[order.pk]),
        reverse("directive_report_pdf", args=[order.pk]),
        reverse("directive_timeline_csv", args=[order.pk]),
        reverse("directive_list"),
        reverse("task_detail", args=[task.pk]),
        reverse("task_list"),
        reverse("dashboard"),
        reverse("home"),
    ]
    for user in (legal, engineer, UserFactory.create(username="exec-x", role=Role.EXECUTIVE)):
        client.force_login(user)
        for url in pages:
            response = client.get(url, follow=True)
            assert response.status_code in (200, 403), (
                url,
                user,
                response.status_code,
                response.get("Location"),
            )
    client.force_login(legal)
    assert "Stored in year 1" in client.get(reverse("directive_timeline", args=[order.pk])).content.decode()
    assert b"Stored in year 1" in client.get(reverse("directive_timeline_csv", args=[order.pk])).content
    assert client.get(reverse("directive_report_pdf", args=[order.pk])).content.startswith(b"%PDF")
    api = client_for(legal)
    for url in (
        f"/api/v1/directives/{order.pk}/",
        f"/api/v1/directives/{order.pk}/timeline/",
        f"/api/v1/tasks/{task.pk}/",
        "/api/v1/tasks/",
        "/api/v1/obligations/",
        "/api/v1/dashboard/",
    ):
        assert api.get(url).status_code == 200, url
    for user in (legal, engineer):
        body = deadlines_calendar(deadlines_of(user), now=RECEIVED, directive_url=lambda pk: f"/d/{pk}")
        assert b"BEGIN:VCALENDAR" in (body if isinstance(body, bytes) else body.encode())
