"""Query parameters mean what the schema says: a boolean is true or false, a date-time is RFC 3339, a
page size an integer from 1 to 200, an id filter an integer (an id no row has filters to nothing);
anything else is a 400 naming the parameter, never silently ignored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(settings: Any) -> Any:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    return client_for(UserFactory(username="q-staff", is_staff=True, is_superuser=True))


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/webhooks/?active=maybe", "active"),
        ("/api/v1/escalations/?reminder=1.5", "reminder"),
        ("/api/v1/tasks/?due_before=2026-11-27 17:21", "due_before"),
        ("/api/v1/tasks/?page_size=abc", "page_size"),
        ("/api/v1/tasks/?page_size=null", "page_size"),
        ("/api/v1/tasks/?page_size=201", "page_size"),
        ("/api/v1/tasks/?directive=0", "directive"),
    ],
)
def test_a_value_the_schema_does_not_allow_is_a_400_naming_it(api: Any, url: str, param: str) -> None:
    response = api.get(url)
    assert response.status_code == 400
    assert response.json()["field"] == param


def test_values_the_schema_allows_are_accepted(api: Any) -> None:
    for url in (
        "/api/v1/webhooks/?active=true",
        "/api/v1/escalations/?reminder=false",
        "/api/v1/tasks/?due_before=2026-11-27T17:21:00-05:00",
        "/api/v1/tasks/?mine=true&overdue=false",
        "/api/v1/tasks/?page_size=200",
    ):
        assert api.get(url).status_code == 200, url
    assert api.get("/api/v1/tasks/?directive=999999").json()["count"] == 0
