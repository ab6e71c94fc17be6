"""The pages benchmark's floors (bench/floor_urls.py) answer as the API does: refused without a session,
a 50-row page with one. (They are bench-only URLs, added by bench/floor_settings.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def floors(settings: Any) -> None:
    settings.ROOT_URLCONF = "bench.floor_urls"


@pytest.mark.parametrize("url", ["/bench/floor/django/", "/bench/floor/drf/"])
def test_a_floor_needs_a_session_and_answers_a_page(floors: None, legal: Any, url: str) -> None:
    client = Client()
    assert client.get(url).status_code == 401

    client.force_login(legal)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert len(response.json()["results"]) == 50


def test_the_project_urls_are_still_there(floors: None, legal: Any) -> None:
    client = Client()
    client.force_login(legal)
    assert client.get("/api/v1/tasks/").status_code == 200
    assert client.get("/bench/floor/nothing/").status_code == 404
