"""A failed webhook delivery names the endpoint and the exception class or HTTP status, never the URL (for
Slack-style webhooks the URL is the credential) nor the receiver's answer: not in the outbox row, not in
the dead notification's timeline entry, not in the API, not in the logs, nowhere in the database but the
endpoint's own row."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import socket
from typing import Any

import pytest
from django.core.management import call_command

from directives.choices import EntryKind
from directives.escalation.sweep import sweep
from directives.models import (
    Notification,
    NotificationStatus,
    RemediationTask,
    TimelineEntry,
    WebhookEndpoint,
)
from tests.api.conftest import client_for

from .conftest import DUE
from .test_delivery import deliver_at

SECRET_PATH = "services/T0DOCKET/B0SECRET/xoxb-secret-path-7f3a9c"
RECEIVER_SECRET = "receiver-internal-detail-41d2"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again on return: nothing listens there


def _fail_until_dead(settings: Any, url: str) -> Notification:
    settings.DOCKET_NOTIFICATION_MAX_ATTEMPTS = 2
    settings.DOCKET_NOTIFICATION_BACKOFF_SECONDS = 1
    WebhookEndpoint.objects.create(
        name="ops-channel", url=url, secret="s3cret-for-tests", events=["escalated"]
    )
    sweep(now=DUE)
    webhook = Notification.objects.get(channel="webhook")
    deliver_at(DUE + dt.timedelta(seconds=1))
    webhook.refresh_from_db()
    assert webhook.status == NotificationStatus.FAILED
    deliver_at(DUE + dt.timedelta(minutes=1))
    webhook.refresh_from_db()
    assert webhook.status == NotificationStatus.DEAD
    return webhook


def _assert_nowhere(caplog: Any, people: dict[str, Any], *secrets: str) -> None:
    dump = io.StringIO()
    call_command("dumpdata", exclude=["directives.webhookendpoint"], stdout=dump)
    api = client_for(people["eng"])
    notifications = api.get("/api/v1/notifications/")
    assert notifications.status_code == 200
    directive_id = TimelineEntry.objects.get(kind=EntryKind.NOTIFICATION_FAILED).directive_id
    timeline = api.get(f"/api/v1/directives/{directive_id}/timeline/")
    assert timeline.status_code == 200
    for secret in secrets:
        assert secret not in dump.getvalue()
        assert secret not in notifications.content.decode()
        assert secret not in timeline.content.decode()
        assert secret not in caplog.text
        assert all(secret not in json.dumps(r.args, default=str) for r in caplog.records)


def test_a_receiver_answering_500_with_a_body_leaves_only_name_and_status(
    p0_task: RemediationTask, receiver: Any, settings: Any, caplog: Any, people: dict[str, Any]
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver.status = 500
    receiver.error_body = f"upstream said: {RECEIVER_SECRET} at /{SECRET_PATH}".encode()
    url = receiver.url.replace("/hook", f"/{SECRET_PATH}")
    webhook = _fail_until_dead(settings, url)

    assert webhook.last_error == "webhook ops-channel: HTTP 500"
    failure = TimelineEntry.objects.get(kind=EntryKind.NOTIFICATION_FAILED)
    assert "webhook ops-channel: HTTP 500" in failure.summary
    assert failure.data["error"] == "webhook ops-channel: HTTP 500"
    _assert_nowhere(caplog, people, SECRET_PATH, RECEIVER_SECRET, "127.0.0.1")


def test_an_unreachable_receiver_leaves_only_name_and_exception_class(
    p0_task: RemediationTask, settings: Any, caplog: Any, people: dict[str, Any]
) -> None:
    caplog.set_level(logging.DEBUG)
    webhook = _fail_until_dead(settings, f"http://127.0.0.1:{_closed_port()}/{SECRET_PATH}")

    assert webhook.last_error == "webhook ops-channel: ConnectionError"
    failure = TimelineEntry.objects.get(kind=EntryKind.NOTIFICATION_FAILED)
    assert "webhook ops-channel: ConnectionError" in failure.summary
    _assert_nowhere(caplog, people, SECRET_PATH, "127.0.0.1")


def test_an_unexpected_error_while_sending_is_recorded_by_its_class(
    p0_task: RemediationTask,
    settings: Any,
    caplog: Any,
    people: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)

    def explode(url: str, **kwargs: Any) -> None:
        raise ValueError(f"cannot send to {url}")

    monkeypatch.setattr("directives.services.notifications.requests.post", explode)
    webhook = _fail_until_dead(settings, f"https://hooks.example.test/{SECRET_PATH}")

    assert webhook.last_error == "webhook ops-channel: unexpected ValueError"
    _assert_nowhere(caplog, people, SECRET_PATH, "hooks.example.test")
