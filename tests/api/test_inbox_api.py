"""GET /api/v1/inbox/ and its read actions; GET/PATCH /api/v1/me/preferences/: the services the pages use."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from directives.models import Notification, NotificationRead, Preference
from tests.factories import make_directive, make_task

from .conftest import client_for

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 28, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def message(legal: Any, engineer: Any) -> Notification:
    with time_machine.travel(NOW, tick=False):
        directive = make_directive(actor=legal, reference="BIS-7")
        make_task(directive, actor=legal, assignee=engineer, title="Block the export", notify_assignee=True)
    return Notification.objects.get(user=engineer)


def test_my_inbox_lists_my_message_with_an_absolute_link(engineer: Any, message: Notification) -> None:
    body = client_for(engineer).get("/api/v1/inbox/").json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["subject"] == "[Docket] Assigned to you: Block the export"
    assert item["link"] == f"http://testserver/tasks/{message.task_id}/"
    assert item["read_at"] is None and item["task"] == message.task_id


def test_another_person_sees_nothing_and_cannot_mark_mine(engineer2: Any, message: Notification) -> None:
    client = client_for(engineer2)
    assert client.get("/api/v1/inbox/").json()["count"] == 0
    assert client.get(f"/api/v1/inbox/{message.pk}/").status_code == 404
    assert client.post(f"/api/v1/inbox/{message.pk}/read/").status_code == 404
    assert not NotificationRead.objects.exists()


def test_mark_one_then_all_read(engineer: Any, message: Notification) -> None:
    client = client_for(engineer)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        response = client.post(f"/api/v1/inbox/{message.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"] == "2026-11-28T01:00:00Z"
    assert client.post("/api/v1/inbox/read-all/").json() == {"marked": 0, "unread": 0}
    NotificationRead.objects.all().delete()
    assert client.post("/api/v1/inbox/read-all/").json() == {"marked": 1, "unread": 0}


def test_preferences_read_and_change_the_zone(engineer: Any) -> None:
    client = client_for(engineer)
    assert client.get("/api/v1/me/preferences/").json() == {
        "time_zone": "",
        "effective_time_zone": "America/New_York",
    }
    response = client.patch("/api/v1/me/preferences/", {"time_zone": "Asia/Tokyo"}, format="json")
    assert response.json() == {"time_zone": "Asia/Tokyo", "effective_time_zone": "Asia/Tokyo"}
    assert Preference.objects.get(user=engineer).time_zone == "Asia/Tokyo"


@pytest.mark.parametrize("value", ["Mars/Base", 7, "x" * 65])
def test_a_bad_zone_is_a_400_naming_the_field(engineer: Any, value: Any) -> None:
    response = client_for(engineer).patch("/api/v1/me/preferences/", {"time_zone": value}, format="json")
    assert response.status_code == 400 and "time_zone" in response.content.decode()
    assert not Preference.objects.exists()
