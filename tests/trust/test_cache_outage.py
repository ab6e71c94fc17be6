"""The cache on Redis fails open (compliance/cache.py): while Redis is down, pages, API reads and writes keep
working (throttles count nothing, the dashboard is computed per request) and /healthz says "degraded".

Two ways: against a port where nothing listens (no server needed), and against a private redis-server
(never the shared one on 6379) stopped while the app runs, then started again.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse

from compliance.cache import FailOpenRedisCache
from directives.choices import Role
from directives.models import Directive, TimelineEntry
from tests.api.conftest import client_for, directive_body, new_authority

from ..factories import UserFactory, make_directive
from .services import PrivateRedis

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_cache(settings: Any, url: str) -> FailOpenRedisCache:
    settings.CACHES = {
        "default": {
            "BACKEND": "compliance.cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": {"FAIL_OPEN_RETRY_SECONDS": 0},  # every call tries Redis: the test sees each one
        }
    }
    backend = caches["default"]
    assert isinstance(backend, FailOpenRedisCache)
    return backend


class App:
    """A legal user's browser and API client, and one round of what people do: pages, reads, writes."""

    def __init__(self) -> None:
        user: Any = UserFactory(username="legal-cache", role=Role.LEGAL)
        self.user = user
        self.browser = Client()
        self.browser.force_login(user)
        self.api = client_for(self.user)
        self.authority = new_authority()
        self.directive = make_directive(actor=self.user)
        self.rounds = 0

    def round(self) -> dict[str, int]:
        self.rounds += 1
        reference = f"CACHE-OUTAGE-{self.rounds}"
        codes = {
            "dashboard": self.browser.get(reverse("dashboard")).status_code,
            "directive list": self.browser.get(reverse("directive_list")).status_code,
            "directive page": self.browser.get(
                reverse("directive_detail", args=[self.directive.pk])
            ).status_code,
            "api dashboard": self.api.get("/api/v1/dashboard/").status_code,
            "api list": self.api.get("/api/v1/directives/").status_code,
            "api write": self.api.post(
                "/api/v1/directives/", directive_body(self.authority.pk, reference=reference), format="json"
            ).status_code,
        }
        if codes["api write"] == 201:
            written = Directive.objects.get(reference=reference)
            assert TimelineEntry.objects.filter(directive=written).exists()  # the write is whole
        return codes


ALL_OK = {
    "dashboard": 200,
    "directive list": 200,
    "directive page": 200,
    "api dashboard": 200,
    "api list": 200,
    "api write": 201,
}


@pytest.fixture
def app(db: Any) -> App:
    return App()


def test_nothing_listening_on_the_cache_port_costs_no_request(app: App, settings: Any, caplog: Any) -> None:
    caplog.set_level(logging.WARNING, logger="docket.cache")
    _redis_cache(settings, f"redis://127.0.0.1:{_closed_port()}/0")
    assert app.round() == ALL_OK
    assert app.round() == ALL_OK
    assert "cache: Redis unreachable (ConnectionError); serving without a cache" in caplog.text

    health = app.browser.get(reverse("healthz"))
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["checks"]["cache"] == {
        "ok": False,
        "backend": "FailOpenRedisCache",
        "error": "ConnectionError",
    }


def test_an_unreachable_cache_behaves_as_an_empty_one(settings: Any) -> None:
    backend = _redis_cache(settings, f"redis://127.0.0.1:{_closed_port()}/0")
    assert backend.add("k", 1) is True  # as if nobody held the key: a lock is taken, a count starts
    assert backend.get("k", "default") == "default"
    assert backend.get_many(["k"]) == {}
    backend.set("k", 1)
    assert backend.set_many({"k": 1}) == []
    assert backend.has_key("k") is False and backend.delete("k") is False
    with pytest.raises(ValueError):
        backend.incr("k")
    assert cache.get_or_set("k", 5) == 5


def test_commands_redis_refuses_still_raise(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from redis.exceptions import ResponseError

    backend = _redis_cache(settings, f"redis://127.0.0.1:{_closed_port()}/0")

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value")

    monkeypatch.setattr(backend._cache, "get", refused)  # type: ignore[attr-defined]
    with pytest.raises(ResponseError):
        backend.get("k")


@pytest.mark.services
def test_the_caches_redis_stopped_and_started_again_no_5xx(
    app: App, settings: Any, private_redis: PrivateRedis
) -> None:
    backend = _redis_cache(settings, private_redis.url)
    assert app.round() == ALL_OK
    assert backend.get_many([]) == {} and backend.add("probe", 1) and backend.get("probe") == 1
    assert app.browser.get(reverse("healthz")).json()["checks"]["cache"]["ok"] is True

    private_redis.stop()  # ------------------------------------------------------------ the cache is down
    during = [app.round() for _ in range(3)]
    assert during == [ALL_OK] * 3
    health = app.browser.get(reverse("healthz"))
    assert health.status_code == 200 and health.json()["status"] == "degraded"
    assert health.json()["checks"]["cache"]["ok"] is False

    private_redis.start()  # ----------------------------------------------------- back, empty (no persistence)
    assert app.round() == ALL_OK
    assert app.browser.get(reverse("healthz")).json()["checks"]["cache"]["ok"] is True
    assert backend.add("probe-2", 1) is True and backend.get("probe-2") == 1  # it is used again
