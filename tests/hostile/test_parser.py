"""The API's JSON parser: deep nesting, lone surrogates and oversized bodies are refused before any view
reads them (400 or 413 naming the field), never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from directives.api.parsers import max_depth
from directives.models import TimelineEntry
from tests.api.conftest import client_for
from tests.factories import make_directive

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, raw: bytes | str) -> Any:
    body = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    return client.generic("POST", url, body, content_type="application/json")


@pytest.fixture
def api(legal: Any) -> Client:
    return client_for(legal)


def test_a_hundred_thousand_brackets_are_a_400(api: Any, legal: Any) -> None:
    response = _post(api, "/api/v1/tasks/", "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert "nested more than" in response.json()["detail"].lower()


def test_timeline_data_nested_a_thousand_levels_is_a_400_naming_data(api: Any, legal: Any) -> None:
    directive = make_directive(actor=legal)
    before = TimelineEntry.objects.count()
    nested = '{"a":' * 1000 + "1" + "}" * 1000
    body = '{"kind": "action_recorded", "summary": "x", "occurred_at": "2026-11-27T17:30:00-05:00", "data": '
    response = _post(api, f"/api/v1/directives/{directive.pk}/timeline/", body + nested + "}")
    assert response.status_code == 400
    assert response.json()["field"] == "data"
    assert f"more than {max_depth()} levels" in response.json()["detail"]
    assert TimelineEntry.objects.count() == before


@pytest.mark.parametrize(
    "field",
    ["priority", "kind", "posture", "to_status", "deadline_rule", "state", "delivery_channel", "title"],
)
def test_a_lone_surrogate_in_any_field_is_a_400_naming_it(api: Any, field: str) -> None:
    response = _post(api, "/api/v1/tasks/", "{" + f'"{field}": "\\ud800"' + "}")
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert "surrogate" in response.json()["detail"]


def test_a_lone_surrogate_in_a_key_or_deep_inside_is_a_400(api: Any) -> None:
    assert _post(api, "/api/v1/tasks/", '{"\\udfff": 1}').status_code == 400
    deep = _post(api, "/api/v1/tasks/", '{"data": {"list": [1, {"x": "ok \\ud800 here"}]}}')
    assert deep.status_code == 400 and deep.json()["field"] == "data"


def test_a_body_over_the_limit_is_a_413(api: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = _post(api, "/api/v1/tasks/", '{"title": "' + "x" * 20_000 + '"}')
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_invalid_utf8_and_non_json_constants_are_a_400(api: Any) -> None:
    assert _post(api, "/api/v1/tasks/", b'{"title": "\xff\xfe"}').status_code == 400
    assert _post(api, "/api/v1/tasks/", '{"deadline_amount": NaN}').status_code == 400
