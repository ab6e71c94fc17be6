"""GET /api/v1/intake-items/ and POST .../dismiss/: the intake mailbox's queue, the same selector and service
as /intake/inbox/; legal only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from directives.models import IntakeItem, IntakeState
from directives.services import mailbox
from tests.documents.samples import TRUSTED, order_eml

from .conftest import client_for

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 27, 22, 30, tzinfo=dt.UTC)


@pytest.fixture
def item(settings: Any, tmp_path: Any) -> IntakeItem:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCKET_TRUSTED_MAIL_HOSTS = TRUSTED
    mailbox.queue_message(order_eml([]), uid="3", mailbox="intake@imap/INBOX", now=NOW)
    return IntakeItem.objects.get()


def test_legal_lists_the_waiting_messages(legal: Any, item: IntakeItem) -> None:
    body = client_for(legal).get("/api/v1/intake-items/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["subject"] == "Order BIS-ORD-AI-2026-0417: block foreign nationals"
    assert row["received_at"] == "2026-11-27T22:21:04Z"
    assert row["received_from"] == "the Received: header added by mx1.company.example"
    assert row["state"] == "waiting" and row["version"] == 1


def test_others_may_not(engineer: Any, item: IntakeItem) -> None:
    assert client_for(engineer).get("/api/v1/intake-items/").status_code == 403


def test_dismiss_with_a_reason_and_the_version(legal: Any, item: IntakeItem) -> None:
    client = client_for(legal)
    url = f"/api/v1/intake-items/{item.pk}/dismiss/"
    missing = client.post(url, {"version": 1}, format="json")
    assert missing.status_code == 400 and missing.json()["field"] == "reason"
    stale = client.post(url, {"reason": "Duplicate", "version": 9}, format="json")
    assert stale.status_code == 409
    done = client.post(url, {"reason": "Duplicate", "version": 1}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["state"] == "dismissed" and done.json()["dismissed_reason"] == "Duplicate"
    assert IntakeItem.objects.get().state == IntakeState.DISMISSED
    assert client.get("/api/v1/intake-items/").json()["count"] == 0
    again = client.post(url, {"reason": "Duplicate", "version": 2}, format="json")
    assert again.status_code == 409
