"""Behaviour of the API that a client relies on: strict date-times, optimistic concurrency, idempotent
creation, the token endpoint and its throttle, object-level task rules, and list query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directives.choices import DirectiveStatus, Priority, TaskStatus
from directives.models import (
    Directive,
    Escalation,
    Notification,
    Obligation,
    RemediationTask,
    TimelineEntry,
    WebhookEndpoint,
)
from directives.services import tasks as task_services
from tests.factories import make_directive, make_obligation, make_product, make_task

from .conftest import client_for, directive_body, new_authority

NOW = dt.datetime(2026, 11, 27, 22, 40, tzinfo=dt.UTC)  # Friday 17:40 ET


@pytest.fixture
def at_now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield NOW


# --- Date-times -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_naive_datetime_is_a_400_that_says_so(legal: Any, at_now: Any) -> None:
    authority = new_authority()
    response = client_for(legal).post(
        "/api/v1/directives/", directive_body(authority.pk, received_at="2026-11-27T17:21:00"), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "received_at"
    assert body["code"] == "naive"
    assert "no time zone" in body["detail"] and "UTC offset" in body["detail"]
    assert not Directive.objects.exists()


@pytest.mark.django_db
def test_a_naive_datetime_in_a_filter_is_a_400(legal: Any) -> None:
    response = client_for(legal).get("/api/v1/directives/", {"received_after": "2026-11-27T17:21:00"})
    assert response.status_code == 400
    assert "no time zone" in response.json()["detail"]


@pytest.mark.django_db
def test_datetimes_are_iso_8601_with_offset_and_local_receipt(legal: Any, at_now: Any) -> None:
    authority = new_authority()
    response = client_for(legal).post("/api/v1/directives/", directive_body(authority.pk), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["received_at"] == "2026-11-27T22:21:00Z"
    assert body["received_at_local"] == "2026-11-27T17:21:00-05:00"
    assert dt.datetime.fromisoformat(body["created_at"]).utcoffset() == dt.timedelta(0)


@pytest.mark.django_db
def test_string_fields_refuse_numbers(legal: Any, at_now: Any) -> None:
    authority = new_authority()
    response = client_for(legal).post(
        "/api/v1/directives/", directive_body(authority.pk, title=12), format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "title"
    assert "string" in response.json()["detail"]


# --- Optimistic concurrency -----------------------------------------------------------------------


@pytest.mark.django_db
def test_stale_version_is_409_with_current_state_and_changes_nothing(legal: Any, at_now: Any) -> None:
    directive = make_directive(actor=legal)
    client = client_for(legal)
    url = f"/api/v1/directives/{directive.pk}/transition/"
    first = client.post(url, {"to_status": "in_effect", "version": 1}, format="json")
    assert first.status_code == 200
    assert first.json()["version"] == 2
    entries_before = TimelineEntry.objects.filter(directive=directive).count()

    stale = client.post(url, {"to_status": "withdrawn", "version": 1}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "stale_version"
    assert body["current_version"] == 2
    assert body["current"]["status"] == "in_effect"
    assert body["current"]["version"] == 2
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.IN_EFFECT
    assert directive.version == 2
    assert TimelineEntry.objects.filter(directive=directive).count() == entries_before


@pytest.mark.django_db
def test_if_match_header_carries_the_version(legal: Any, engineer: Any, at_now: Any) -> None:
    directive = make_directive(actor=legal)
    task = make_task(directive, actor=legal, assignee=engineer)
    client = client_for(engineer)
    detail = client.get(f"/api/v1/tasks/{task.pk}/")
    assert detail["ETag"] == '"1"'
    moved = client.post(
        f"/api/v1/tasks/{task.pk}/status/", {"to_status": "in_progress"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert moved.status_code == 200, moved.json()
    stale = client.post(
        f"/api/v1/tasks/{task.pk}/status/", {"to_status": "blocked"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 409
    current = stale.json()["current"]
    assert current["status"] == "in_progress"
    # The whole task as a read shows it, not a row without what the list's queryset adds.
    assert (current["assignee_username"], current["evidence"]) == (engineer.username, [])
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


@pytest.mark.django_db
def test_a_write_without_a_version_is_refused(legal: Any, at_now: Any) -> None:
    directive = make_directive(actor=legal)
    response = client_for(legal).post(
        f"/api/v1/directives/{directive.pk}/transition/", {"to_status": "in_effect"}, format="json"
    )
    assert response.status_code == 428  # Precondition Required
    assert response.json()["field"] == "version"
    assert response.json()["code"] == "version_required"
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.RECEIVED


@pytest.mark.django_db
def test_a_refused_transition_is_409(legal: Any, at_now: Any) -> None:
    directive = make_directive(actor=legal)
    response = client_for(legal).post(
        f"/api/v1/directives/{directive.pk}/transition/",
        {"to_status": "compliant", "version": 1},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert "Received" in response.json()["detail"]


# --- Idempotency-Key ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_idempotency_key_replays_and_does_not_create_twice(legal: Any, at_now: Any) -> None:
    authority = new_authority()
    client = client_for(legal)
    body = directive_body(authority.pk)
    first = client.post("/api/v1/directives/", body, format="json", HTTP_IDEMPOTENCY_KEY="intake-0417")
    again = client.post("/api/v1/directives/", body, format="json", HTTP_IDEMPOTENCY_KEY="intake-0417")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Directive.objects.count() == 1
    assert TimelineEntry.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_key_with_a_different_body_is_refused(legal: Any, at_now: Any) -> None:
    authority = new_authority()
    client = client_for(legal)
    client.post(
        "/api/v1/directives/", directive_body(authority.pk), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    other = client.post(
        "/api/v1/directives/",
        directive_body(authority.pk, reference="OTHER-1"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert "different request" in other.json()["detail"]
    assert Directive.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_request_does_not_burn_its_idempotency_key(legal: Any, at_now: Any) -> None:
    authority = new_authority()
    client = client_for(legal)
    bad = client.post(
        "/api/v1/directives/",
        directive_body(authority.pk, received_at="2026-11-27T17:21:00"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert bad.status_code == 400
    good = client.post(
        "/api/v1/directives/", directive_body(authority.pk), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    # Only successful responses are stored: the corrected retry with the same key goes through, once.
    assert good.status_code == 201


@pytest.mark.django_db
def test_idempotency_keys_are_per_user(legal: Any, at_now: Any) -> None:
    from tests.factories import UserFactory

    other_legal = UserFactory(username="legal-2", role="legal")
    authority = new_authority()
    client_for(legal).post(
        "/api/v1/directives/", directive_body(authority.pk), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    response = client_for(other_legal).post(
        "/api/v1/directives/",
        directive_body(authority.pk, reference="R-2"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 201
    assert Directive.objects.count() == 2


# --- Token endpoint -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_token_endpoint_gives_a_working_token(legal: Any) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "legal-test", "password": "pw-for-tests-only"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "legal-test"
    assert me.json()["roles"] == ["legal"]
    assert me.json()["permissions"]["log_directive"] is True
    assert me.json()["permissions"]["manage_webhooks"] is False


@pytest.mark.django_db
def test_token_endpoint_refuses_wrong_password(legal: Any) -> None:
    from rest_framework.test import APIClient

    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "legal-test", "password": "nope"}, format="json"
    )
    assert response.status_code in (401, 429)
    assert "token" not in response.json()
    if response.status_code == 401:
        assert response.json()["code"] == "invalid_credentials"
        assert response["WWW-Authenticate"] == 'Token realm="api"'


@pytest.mark.django_db
def test_token_endpoint_is_throttled_on_its_own_scope(legal: Any, settings: Any) -> None:
    from rest_framework.settings import api_settings
    from rest_framework.test import APIClient

    from directives.api.throttling import ScopedRateThrottle

    rate = str(api_settings.DEFAULT_THROTTLE_RATES["token"])
    allowed = int(rate.split("/")[0])
    client = APIClient()
    statuses = [
        client.post(
            "/api/v1/auth/token/", {"username": "legal-test", "password": "pw-for-tests-only"}, format="json"
        ).status_code
        for _ in range(allowed + 2)
    ]
    assert statuses[:allowed] == [200] * allowed
    assert statuses[allowed:] == [429, 429]
    throttled = client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    assert ScopedRateThrottle.scope_attr == "throttle_scope"


@pytest.mark.django_db
def test_anonymous_requests_are_401_and_throttled(db: Any) -> None:
    from rest_framework.settings import api_settings
    from rest_framework.test import APIClient

    allowed = int(str(api_settings.DEFAULT_THROTTLE_RATES["anon"]).split("/")[0])
    client = APIClient()
    first = client.get("/api/v1/directives/")
    assert first.status_code == 401
    assert first["WWW-Authenticate"].startswith("Token")
    for _ in range(allowed):
        client.get("/api/v1/directives/")
    assert client.get("/api/v1/directives/").status_code == 429


# --- Object-level rules on tasks ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_engineer_works_only_tasks_assigned_to_them(
    legal: Any, engineer: Any, engineer2: Any, at_now: Any
) -> None:
    directive = make_directive(actor=legal)
    theirs = make_task(directive, actor=legal, assignee=engineer2)
    mine = make_task(directive, actor=legal, assignee=engineer, title="Mine")
    client = client_for(engineer)
    refused = client.post(
        f"/api/v1/tasks/{theirs.pk}/resolve/", {"resolution": "done", "version": 1}, format="json"
    )
    assert refused.status_code == 403
    assert "assignee" in refused.json()["detail"]
    theirs.refresh_from_db()
    assert theirs.status == TaskStatus.OPEN
    ok = client.post(f"/api/v1/tasks/{mine.pk}/resolve/", {"resolution": "done", "version": 1}, format="json")
    assert ok.status_code == 200
    assert ok.json()["status"] == "resolved"


@pytest.mark.django_db
def test_the_resolver_cannot_verify(legal: Any, engineer: Any, engineer2: Any, at_now: Any) -> None:
    directive = make_directive(actor=legal)
    task = make_task(directive, actor=legal, assignee=engineer)
    task_services.resolve_task(task=task, actor=engineer, resolution="Suspended", now=NOW)
    own = client_for(engineer).post(f"/api/v1/tasks/{task.pk}/verify/", {"version": 2}, format="json")
    assert own.status_code == 403
    assert "someone other than" in own.json()["detail"]
    other = client_for(engineer2).post(f"/api/v1/tasks/{task.pk}/verify/", {"version": 2}, format="json")
    assert other.status_code == 200
    assert other.json()["status"] == "verified"
    assert other.json()["verified_by"] == engineer2.pk


# --- Lists: query counts do not grow with rows ----------------------------------------------------


def _grow(total: int, *, legal: Any, engineer: Any) -> Directive:
    """At least ``total`` rows of everything a list endpoint shows, all on the first directive's chain
    for the timeline."""
    first: Directive | None = Directive.objects.order_by("pk").first()
    while Directive.objects.count() < total:
        n = Directive.objects.count() + 1
        authority = new_authority(name=f"Authority {n}")
        product = make_product(f"Product {n}")
        directive = make_directive(actor=legal, authority=authority, reference=f"REF-{n}", products=[product])
        obligation = make_obligation(directive, actor=legal)
        task = make_task(
            directive, actor=legal, obligation=obligation, assignee=engineer, priority=Priority.P0
        )
        escalation = Escalation.objects.create(
            task=task,
            directive=directive,
            level=1,
            name="Level 1",
            due_at=task.due_at or NOW,
            scheduled_at=NOW,
            fired_at=NOW,
        )
        Notification.objects.create(
            idempotency_key=f"n-{n}",
            channel="email",
            event="escalated",
            recipient=f"user:{engineer.username}",
            user=engineer,
            directive=directive,
            task=task,
            escalation=escalation,
            next_attempt_at=NOW,
            created_at=NOW,
        )
        WebhookEndpoint.objects.create(name=f"hook {n}", url=f"https://hooks.example/{n}", secret="s" * 20)
        first = first or directive
    from directives.services import directives as directive_services

    assert first is not None
    while TimelineEntry.objects.filter(directive=first).count() < total:
        directive_services.record_action(
            directive=first, kind="comment", summary="note", occurred_at=NOW, actor=legal, now=NOW
        )
    return first


LISTS = [
    "/api/v1/authorities/",
    "/api/v1/products/",
    "/api/v1/directives/",
    "/api/v1/obligations/",
    "/api/v1/tasks/",
    "/api/v1/escalations/",
    "/api/v1/notifications/",
    "/api/v1/webhooks/",
    "/api/v1/directives/{first}/timeline/",
]


@pytest.mark.django_db
def test_list_query_counts_do_not_grow_with_rows(
    legal: Any, engineer: Any, admin_user: Any, at_now: Any
) -> None:
    clients = {"legal": client_for(legal), "staff": client_for(admin_user)}

    def measure(first: Directive) -> dict[str, int]:
        counts = {}
        for template in LISTS:
            url = template.format(first=first.pk)
            client = clients["staff" if "webhooks" in url else "legal"]
            client.get(url)  # warm per-process caches (content types, holiday tables)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, (url, response.json())
            counts[url] = len(ctx.captured_queries)
        return counts

    first = _grow(2, legal=legal, engineer=engineer)
    small = measure(first)
    _grow(30, legal=legal, engineer=engineer)
    large = measure(first)
    assert Directive.objects.count() == 30 and RemediationTask.objects.count() == 30
    assert Obligation.objects.count() == 30 and Escalation.objects.count() == 30
    assert large == small, {url: (small[url], large[url]) for url in small if small[url] != large[url]}


@pytest.mark.django_db
def test_authenticated_clients_are_throttled(legal: Any, monkeypatch: Any) -> None:
    from directives.api.throttling import UserRateThrottle

    monkeypatch.setattr(
        UserRateThrottle, "THROTTLE_RATES", {**UserRateThrottle.THROTTLE_RATES, "user": "3/min"}
    )
    client = client_for(legal)
    statuses = [client.get("/api/v1/directives/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/api/v1/me/").status_code == 429


# --- More actions: corrections, statements, products, evidence, comments, due -----------------------


@pytest.mark.django_db
def test_a_correction_supersedes_and_leaves_the_original(legal: Any, at_now: Any) -> None:
    directive = make_directive(actor=legal)
    receipt = TimelineEntry.objects.get(directive=directive, seq=1)
    client = client_for(legal)
    response = client.post(
        f"/api/v1/directives/{directive.pk}/corrections/",
        {"supersedes": receipt.pk, "summary": "Received by email at 17:21 ET, not by letter."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "correction"
    assert response.json()["supersedes"] == receipt.pk
    assert TimelineEntry.objects.get(pk=receipt.pk).hash == receipt.hash
    other = make_directive(actor=legal, reference="OTHER")
    foreign = client.post(
        f"/api/v1/directives/{other.pk}/corrections/",
        {"supersedes": receipt.pk, "summary": "x"},
        format="json",
    )
    assert foreign.status_code == 400
    assert foreign.json()["field"] == "supersedes"


@pytest.mark.django_db
def test_statement_products_evidence_comment_and_due(legal: Any, engineer: Any, at_now: Any) -> None:
    directive = make_directive(actor=legal, products=[make_product("Fable 5")])
    legal_client, eng_client = client_for(legal), client_for(engineer)
    statement = legal_client.post(
        f"/api/v1/directives/{directive.pk}/statement/",
        {"text": "A narrow potential jailbreak does not justify a total recall.", "posture": "under_protest"},
        format="json",
    )
    assert statement.status_code == 201 and statement.json()["kind"] == "statement_published"
    assert legal_client.get(f"/api/v1/directives/{directive.pk}/").json()["posture"] == "under_protest"
    mythos = make_product("Mythos")
    named = legal_client.post(
        f"/api/v1/directives/{directive.pk}/products/",
        {"product": mythos.pk, "required_action": "Block foreign nationals"},
        format="json",
    )
    assert named.status_code == 201
    assert [p["name"] for p in named.json()["products"]] == ["Fable 5", "Mythos"]
    task = make_task(directive, actor=legal, assignee=engineer)
    evidence = eng_client.post(
        f"/api/v1/tasks/{task.pk}/evidence/", {"url": "https://status.docket.example/i/1"}, format="json"
    )
    assert evidence.status_code == 201 and evidence.json()["kind"] == "link"
    after_evidence = eng_client.get(f"/api/v1/tasks/{task.pk}/").json()
    assert [e["url"] for e in after_evidence["evidence"]] == ["https://status.docket.example/i/1"]
    assert after_evidence["version"] == 2  # evidence changes the task: a form read before it is stale
    comment = client_for(legal).post(f"/api/v1/tasks/{task.pk}/comment/", {"text": "Thanks"}, format="json")
    assert comment.status_code == 201
    assert comment.json()["kind"] == "comment" and comment.json()["task"] == task.pk
    moved = eng_client.post(
        f"/api/v1/tasks/{task.pk}/due/",
        {"due_at": "2026-11-28T17:21:00-05:00", "version": after_evidence["version"]},
        format="json",
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["due_at"] == "2026-11-28T22:21:00Z"


@pytest.mark.django_db
def test_offsets_postgresql_refuses_are_normalised_to_utc(legal: Any) -> None:
    # ISO 8601 and Python allow offsets up to +/-23:59; PostgreSQL refuses beyond +/-15:59 (found by
    # schemathesis): the API turns every instant into UTC before it reaches the database.
    client = client_for(legal)
    assert client.get("/api/v1/tasks/", {"due_before": "7802-11-06T21:36:08.193+19:52"}).status_code == 200
    assert client.get("/api/v1/escalations/", {"fired_after": "1198-04-13T00:58:19+22:33"}).status_code == 200


@pytest.mark.django_db
def test_list_total_is_exact_up_to_the_cap_then_says_so(
    legal: Any, engineer: Any, at_now: Any, monkeypatch: Any
) -> None:
    from directives.api.pagination import CappedCountPaginator

    _grow(5, legal=legal, engineer=engineer)
    client = client_for(legal)
    body = client.get("/api/v1/tasks/?page_size=2").json()
    assert (body["count"], body["count_exact"], len(body["results"])) == (5, True, 2)

    # Beyond the cap the total is the cap, marked inexact, and pages stop there.
    monkeypatch.setattr(CappedCountPaginator, "count_limit", 3)
    first = client.get("/api/v1/tasks/?page_size=2").json()
    assert (first["count"], first["count_exact"], len(first["results"])) == (3, False, 2)
    second = client.get(first["next"]).json()
    assert (second["count"], second["count_exact"], len(second["results"]), second["next"]) == (
        3,
        False,
        1,
        None,
    )
    beyond = client.get("/api/v1/tasks/?page_size=2&page=3")
    assert beyond.status_code == 404
    # Filtering brings a large result under the cap: exact again.
    task = RemediationTask.objects.order_by("pk").first()
    assert task is not None
    one = client.get(f"/api/v1/tasks/?directive={task.directive_id}").json()
    assert (one["count"], one["count_exact"], [t["id"] for t in one["results"]]) == (1, True, [task.pk])
