"""Outbox delivery: webhooks (signed, idempotency key, Slack text), email, retries with backoff, dead rows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from directives.choices import EntryKind
from directives.escalation.sweep import sweep
from directives.models import (
    Notification,
    NotificationStatus,
    RemediationTask,
    TimelineEntry,
    WebhookEndpoint,
)
from directives.services.notifications import deliver, deliver_due, relay, requeue, verify_signature
from directives.services.timeline import verify_chain

from .conftest import DUE

SECRET = "s3cret-for-tests"


def endpoint(url: str, events: list[str] | None = None) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name="ops-channel", url=url, secret=SECRET, events=events or ["escalated"]
    )


def deliver_at(instant: dt.datetime) -> dict[str, int]:
    with time_machine.travel(instant, tick=False):
        return deliver_due(now=timezone.now())


def test_webhook_and_email_delivery(p0_task: RemediationTask, receiver: Any) -> None:
    endpoint(receiver.url)
    sweep(now=DUE)  # level 1: assignee, engineering group, and the subscribed webhook
    counts = deliver_at(DUE + dt.timedelta(seconds=5))
    assert counts == {"sent": 3}
    [request] = receiver.requests
    webhook = Notification.objects.get(channel="webhook")
    assert request.key == webhook.idempotency_key and request.event == "escalated"
    assert verify_signature(request.body, SECRET, request.signature)
    body = json.loads(request.body)
    assert "Level 1 of 3: overdue" in body["text"] and body["data"]["task"]["id"] == p0_task.pk
    assert sorted(m.to[0] for m in mail.outbox) == ["eng2@docket.example", "eng@docket.example"]
    assert all(m.extra_headers["X-Docket-Idempotency-Key"].startswith("escalation:") for m in mail.outbox)
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    # Delivering again (a duplicate broker message) sends nothing.
    assert deliver(notification_id=webhook.pk, now=DUE + dt.timedelta(seconds=6)) == "skipped"
    assert len(receiver.requests) == 1


def test_a_receiver_answering_500_gets_backoff_then_dead_on_the_timeline(
    p0_task: RemediationTask, receiver: Any, settings: Any
) -> None:
    settings.DOCKET_NOTIFICATION_MAX_ATTEMPTS = 4
    settings.DOCKET_NOTIFICATION_BACKOFF_SECONDS = 60
    receiver.status = 500
    endpoint(receiver.url)
    sweep(now=DUE)
    webhook = Notification.objects.get(channel="webhook")

    at = DUE + dt.timedelta(seconds=1)
    gaps = []
    for attempt in range(1, 5):
        deliver_at(at)
        webhook.refresh_from_db()
        assert webhook.attempts == attempt and len(receiver.requests) == attempt
        if attempt < 4:
            assert webhook.status == NotificationStatus.FAILED and "HTTP 500" in webhook.last_error
            gap = webhook.next_attempt_at - at
            gaps.append(gap.total_seconds())
            deliver_at(webhook.next_attempt_at - dt.timedelta(seconds=1))  # not yet: nothing is sent
            assert len(receiver.requests) == attempt
            at = webhook.next_attempt_at
    assert gaps == [60, 120, 240]  # exponential
    assert webhook.status == NotificationStatus.DEAD
    assert {r.key for r in receiver.requests} == {webhook.idempotency_key}

    failure = TimelineEntry.objects.get(kind=EntryKind.NOTIFICATION_FAILED)
    assert failure.task_id == p0_task.pk and failure.actor_label == "system"
    assert "webhook:ops-channel" in failure.summary and "after 4 attempts" in failure.summary
    assert "HTTP 500" in failure.summary and failure.data["idempotency_key"] == webhook.idempotency_key
    assert verify_chain(p0_task.directive_id).ok

    # Nothing more happens to a dead row, until someone retries it from the admin.
    assert deliver_at(at + dt.timedelta(days=1)) == {}
    receiver.status = 200
    assert requeue(ids=[webhook.pk], now=at + dt.timedelta(days=1)) == 1
    assert deliver_at(at + dt.timedelta(days=1)) == {"sent": 1}


def test_relay_publishes_due_rows_once_then_again_if_the_message_was_lost(
    p0_task: RemediationTask, settings: Any
) -> None:
    settings.DOCKET_NOTIFICATION_REDISPATCH_SECONDS = 120
    sweep(now=DUE)
    published: list[int] = []
    assert relay(now=DUE, publish=published.append) == 2
    assert relay(now=DUE + dt.timedelta(seconds=30), publish=published.append) == 0  # already on the broker
    # The broker lost them (Redis restarted without persistence): the relay puts them back.
    assert relay(now=DUE + dt.timedelta(seconds=121), publish=published.append) == 2
    assert len(published) == 4 and len(set(published)) == 2


def test_a_broker_refusing_a_publish_releases_the_rows(p0_task: RemediationTask) -> None:
    sweep(now=DUE)

    def broken(pk: int) -> None:
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        relay(now=DUE, publish=broken)
    assert Notification.objects.filter(dispatched_at__isnull=True).count() == 2
    published: list[int] = []
    assert relay(now=DUE + dt.timedelta(seconds=1), publish=published.append) == 2


def test_an_inactive_endpoint_is_given_up_at_once(p0_task: RemediationTask, receiver: Any) -> None:
    hook = endpoint(receiver.url)
    sweep(now=DUE)
    hook.active = False
    hook.save()
    assert deliver_at(DUE + dt.timedelta(seconds=1)) == {"sent": 2, "dead": 1}
    assert receiver.requests == []
    assert TimelineEntry.objects.filter(kind=EntryKind.NOTIFICATION_FAILED).count() == 1


def test_a_worker_lost_during_every_attempt_ends_dead(p0_task: RemediationTask, settings: Any) -> None:
    settings.DOCKET_NOTIFICATION_MAX_ATTEMPTS = 2
    sweep(now=DUE)
    note = Notification.objects.filter(channel="email").first()
    assert note is not None
    # Two claims whose worker died before recording anything (the lease expires each time).
    Notification.objects.filter(pk=note.pk).update(attempts=2, locked_until=DUE)
    assert deliver(notification_id=note.pk, now=DUE + dt.timedelta(minutes=5)) == "dead"
    note.refresh_from_db()
    assert note.status == NotificationStatus.DEAD and "worker was lost" in note.last_error
