"""/healthz: database, broker and the age of the last completed sweep."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import OperationalError

from directives import health
from directives.escalation.sweep import sweep

from .conftest import DUE


def test_healthz_reports_the_last_sweep(client: Any, db: Any) -> None:
    with time_machine.travel(DUE, tick=False):
        body = client.get("/healthz").json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["sweep"] == {
        "ok": False,
        "last_finished_at": None,
        "age_seconds": None,
        "note": "no sweep has completed yet",
    }
    assert body["status"] == "degraded"

    sweep(now=DUE)
    with time_machine.travel(DUE + dt.timedelta(seconds=42), tick=False):
        response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert body["checks"]["sweep"]["ok"] is True
    assert 41 <= body["checks"]["sweep"]["age_seconds"] <= 42
    assert body["checks"]["sweep"]["last_stats"]["escalations"] == 0

    with time_machine.travel(DUE + dt.timedelta(minutes=10), tick=False):
        body = client.get("/healthz").json()
    assert body["status"] == "degraded" and body["checks"]["sweep"]["ok"] is False


def test_healthz_is_503_when_the_database_is_down(client: Any, db: Any, monkeypatch: Any) -> None:
    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(health.connection, "cursor", down)
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down" and body["checks"]["database"] == {
        "ok": False,
        "error": "OperationalError",
    }


def test_healthz_reports_an_unreachable_broker_without_failing(client: Any, db: Any, settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["broker"]["ok"] is False and body["status"] == "degraded"


@pytest.mark.services
def test_healthz_reaches_a_real_redis(client: Any, db: Any, settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/1"
    body = client.get("/healthz").json()
    assert body["checks"]["broker"] == {"ok": True, "transport": "redis"}
