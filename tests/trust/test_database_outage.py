"""While the database is unavailable, requests answer 503 with Retry-After, never 500, in the API's error
shape under /api/ and as a page elsewhere; a request that writes is one transaction, so a failure half-way
leaves nothing behind. (The same against a real PostgreSQL stopped and restarted under load:
test_database_restart_pg.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory
from django.urls import reverse

from directives.choices import Role
from directives.models import Authority
from directives.views.home import server_error

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def outage_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.trust.outage_urls"


@pytest.fixture
def browser(db: Any) -> Client:
    client = Client(raise_request_exception=False)
    user: Any = UserFactory(username="legal-outage", role=Role.LEGAL)
    client.force_login(user)
    return client


def _assert_unavailable_page(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "5" and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "Unavailable for a moment" in page and "Nothing was saved" in page


def _assert_unavailable_json(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "5" and response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The database is unavailable for a moment. Nothing was saved; try again in a few seconds.",
        "code": "database_unavailable",
        "field": None,
    }


def test_a_read_that_loses_the_database_is_503_with_retry_after(outage_urls: None, browser: Client) -> None:
    _assert_unavailable_page(browser.get("/outage/read/"))
    _assert_unavailable_json(browser.get("/api/v1/outage/read/"))


def test_a_write_that_loses_the_database_half_way_leaves_nothing(
    outage_urls: None, browser: Client, caplog: Any
) -> None:
    before = Authority.objects.count()
    _assert_unavailable_page(browser.post("/outage/write/"))
    _assert_unavailable_json(browser.post("/api/v1/outage/write/"))
    assert Authority.objects.count() == before  # both writes of each request rolled back
    assert "database unavailable (OperationalError: terminating connection" in caplog.text
    assert browser.post("/outage/ok/").status_code == 201  # a write that succeeds is kept
    assert Authority.objects.filter(name="Written whole").exists()


def test_the_real_pages_and_api_answer_503_when_the_database_fails(
    browser: Client, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DOCKET_RETRY_AFTER_SECONDS = 5

    def lost(*args: Any, **kwargs: Any) -> Any:
        raise InterfaceError("connection already closed")

    monkeypatch.setattr("directives.selectors.snapshot.generation", lost)
    _assert_unavailable_page(browser.get(reverse("dashboard")))
    _assert_unavailable_json(browser.get("/api/v1/dashboard/"))


def test_csrf_is_still_checked_before_a_writing_view_runs(outage_urls: None) -> None:
    client = Client(enforce_csrf_checks=True)
    user: Any = UserFactory(username="legal-csrf", role=Role.LEGAL)
    client.force_login(user)
    assert client.post("/outage/ok/").status_code == 403
    assert not Authority.objects.filter(name="Written whole").exists()


def test_an_outage_met_outside_a_view_is_503_too() -> None:
    request = RequestFactory().get("/directives/")
    try:
        raise OperationalError("connection to server failed: Connection refused")
    except OperationalError:
        response = server_error(request)  # Django calls it while handling the exception
    _assert_unavailable_page(response)
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500
