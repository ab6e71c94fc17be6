"""Outbox delivery: the relay that puts due notification ids on the broker, and the delivery of one row.

The truth is the ``Notification`` row (written in the transaction that caused it); Celery carries only its
id, so a lost broker message is never a lost notification: the relay puts a row's id on the broker again
when it has not been delivered ``DOCKET_NOTIFICATION_REDISPATCH_SECONDS`` after the last dispatch.

Delivery claims the row with one conditional UPDATE (a lease in ``locked_until`` and ``attempts + 1``), so
two copies of a message cannot both send; sends; then records the outcome. A worker killed between sending
and recording makes the only duplicate possible, and every delivery carries the idempotency key so that a
receiver can drop it. Failures back off exponentially; after ``DOCKET_NOTIFICATION_MAX_ATTEMPTS`` attempts
the row is dead, visible in the admin and on the directive's timeline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q

from .. import links
from ..choices import EntryKind
from ..models import Notification, NotificationChannel, NotificationStatus, WebhookEndpoint
from .timeline import append_entry

log = logging.getLogger("docket.notifications")

SIGNATURE_HEADER = "X-Docket-Signature"
IDEMPOTENCY_HEADER = "X-Docket-Idempotency-Key"
EVENT_HEADER = "X-Docket-Event"
DUE_STATUSES = [NotificationStatus.PENDING.value, NotificationStatus.FAILED.value]


class DeliveryError(Exception):
    """A failed attempt; ``permanent`` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def sign(body: bytes, secret: str) -> str:
    """The value of the X-Docket-Signature header: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, secret: str, header: str) -> bool:
    """For receivers (and tests): constant-time check of a signature header."""
    return hmac.compare_digest(sign(body, secret), header or "")


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next attempt after ``attempts`` failed ones: base * 2**(attempts-1), capped."""
    base = settings.DOCKET_NOTIFICATION_BACKOFF_SECONDS
    cap = settings.DOCKET_NOTIFICATION_BACKOFF_MAX_SECONDS
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


# --- Relay ---------------------------------------------------------------------------------------


def claim_for_dispatch(*, now: dt.datetime, limit: int | None = None) -> list[int]:
    """Due rows not dispatched recently: mark them dispatched now and return their ids (to publish after
    this commits). ``SKIP LOCKED`` lets two relays run at once without taking the same rows."""
    limit = limit or settings.DOCKET_RELAY_BATCH_SIZE
    redispatch = dt.timedelta(seconds=settings.DOCKET_NOTIFICATION_REDISPATCH_SECONDS)
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status__in=DUE_STATUSES, next_attempt_at__lte=now)
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - redispatch))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Notification.objects.filter(pk__in=ids).update(dispatched_at=now)
    return ids


def relay(*, now: dt.datetime, publish: Callable[[int], Any], limit: int | None = None) -> int:
    """Dispatch every due row (in batches) through ``publish``; returns how many were published. If the
    broker refuses, the rows not published are released for the next relay."""
    total = 0
    while True:
        ids = claim_for_dispatch(now=now, limit=limit)
        for i, pk in enumerate(ids):
            try:
                publish(pk)
            except Exception:
                Notification.objects.filter(pk__in=ids[i:]).update(dispatched_at=None)
                raise
            total += 1
        if len(ids) < (limit or settings.DOCKET_RELAY_BATCH_SIZE):
            return total


def deliver_due(*, now: dt.datetime, limit: int | None = None) -> dict[str, int]:
    """Deliver every due row in this process (the embedded mode's fallback, the ``relay_outbox --inline``
    command and tests). Counts by outcome."""
    counts: dict[str, int] = {}
    while True:
        ids = claim_for_dispatch(now=now, limit=limit)
        for pk in ids:
            outcome = deliver(notification_id=pk, now=now)
            counts[outcome] = counts.get(outcome, 0) + 1
        if not ids:
            return counts


# --- Delivery ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claim:
    notification: Notification
    lease_until: dt.datetime


def _claim(notification_id: int, now: dt.datetime) -> _Claim | str:
    lease_until = now + dt.timedelta(seconds=settings.DOCKET_NOTIFICATION_LEASE_SECONDS)
    claimed = (
        Notification.objects.filter(pk=notification_id, status__in=DUE_STATUSES, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .filter(attempts__lt=settings.DOCKET_NOTIFICATION_MAX_ATTEMPTS)
        .update(locked_until=lease_until, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        row = (
            Notification.objects.filter(pk=notification_id)
            .values_list("status", "attempts", "locked_until")
            .first()
        )
        if row is None:
            return "missing"
        status, attempts, locked = row
        if (
            status in DUE_STATUSES
            and attempts >= settings.DOCKET_NOTIFICATION_MAX_ATTEMPTS
            and (locked is None or locked < now)
        ):
            # Every attempt so far died with its worker (a poison message): stop here, on the record.
            _give_up(notification_id, now=now, error="the worker was lost during every attempt")
            return NotificationStatus.DEAD.value
        return "skipped"
    notification = Notification.objects.select_related("webhook", "user").get(pk=notification_id)
    return _Claim(notification, lease_until)


def deliver(*, notification_id: int, now: dt.datetime) -> str:
    """One delivery attempt of one outbox row, safe to call twice or concurrently. Returns the outcome:
    sent, failed, dead, cancelled, skipped (not due, being sent elsewhere, or already final) or missing."""
    claim = _claim(notification_id, now)
    if isinstance(claim, str):
        return claim
    notification = claim.notification
    try:
        _send(notification)
    except DeliveryError as exc:
        return _record_failure(notification, now=now, error=str(exc), permanent=exc.permanent)
    except Exception as exc:  # an unexpected error is one more failed attempt, never a lost row
        # Its class only: the text of an exception raised while sending may hold the webhook's URL.
        error = f"{_target(notification)}: unexpected {type(exc).__name__}"
        log.error("notification %s: %s", notification.pk, error)
        return _record_failure(notification, now=now, error=error, permanent=False)
    Notification.objects.filter(pk=notification.pk).exclude(status=NotificationStatus.SENT).update(
        status=NotificationStatus.SENT, sent_at=now, locked_until=None, last_error=""
    )
    return NotificationStatus.SENT.value


def _target(notification: Notification) -> str:
    """How a failure names where it was going: the endpoint's name, never its URL."""
    if notification.channel == NotificationChannel.WEBHOOK:
        endpoint = notification.webhook
        return f"webhook {endpoint.name}" if endpoint is not None else "webhook"
    return str(notification.channel)


def _send(notification: Notification) -> None:
    payload = notification.payload if isinstance(notification.payload, dict) else {}
    if notification.channel == NotificationChannel.EMAIL:
        to = [a for a in payload.get("to", []) if isinstance(a, str) and a]
        if notification.group_id is not None:
            to += _group_addresses(notification.group_id)
        if not to:
            raise DeliveryError("no email address to send to", permanent=True)
        message = EmailMessage(
            subject=str(payload.get("subject", "Docket notification"))[:250],
            body=message_text(notification, payload, separator="\n\n"),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to,
            headers={IDEMPOTENCY_HEADER: notification.idempotency_key},
        )
        try:
            message.send(fail_silently=False)
        except Exception as exc:
            raise DeliveryError(f"email: {type(exc).__name__}: {exc}") from exc
        return
    endpoint = notification.webhook
    if endpoint is None:
        raise DeliveryError("webhook notification without an endpoint", permanent=True)
    if not endpoint.active:
        raise DeliveryError(f"webhook endpoint {endpoint.name} is inactive", permanent=True)
    _post(endpoint, notification, payload)


def _group_addresses(group_id: int) -> list[str]:
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(groups=group_id, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )


def message_text(notification: Notification, payload: dict[str, Any], *, separator: str = " ") -> str:
    """The message as sent: its text, then the absolute link to its task or directive (``DOCKET_BASE_URL``)."""
    text = str(payload.get("text", ""))
    what, url = links.subject_link(task_id=notification.task_id, directive_id=notification.directive_id)
    return f"{text}{separator}Open the {what}: {url}" if url else text


def webhook_body(notification: Notification, payload: dict[str, Any]) -> bytes:
    """Slack-compatible: ``text`` at the top level (with the link to the task or directive, which is also
    ``url``), the event's data beside it."""
    _, url = links.subject_link(task_id=notification.task_id, directive_id=notification.directive_id)
    body = {
        "text": message_text(notification, payload),
        "url": url or None,
        "event": notification.event,
        "idempotency_key": notification.idempotency_key,
        "data": payload.get("data", {}),
    }
    return json.dumps(body, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")).encode()


def _post(endpoint: WebhookEndpoint, notification: Notification, payload: dict[str, Any]) -> None:
    body = webhook_body(notification, payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Docket-Webhooks/1",
        SIGNATURE_HEADER: sign(body, endpoint.secret),
        IDEMPOTENCY_HEADER: notification.idempotency_key,
        EVENT_HEADER: notification.event,
    }
    try:
        response = requests.post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=settings.DOCKET_WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,  # the receiver's body is never read: only its status counts
        )
    except requests.RequestException as exc:
        # The class only: requests puts the full URL in the message, and a Slack-style webhook's URL is
        # the credential. Failures are readable by every role (the outbox API, the timeline).
        raise DeliveryError(f"webhook {endpoint.name}: {type(exc).__name__}") from None
    with response:  # closed unread: a body may echo the URL or hold the receiver's secrets
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook {endpoint.name}: HTTP {response.status_code}")


def _record_failure(notification: Notification, *, now: dt.datetime, error: str, permanent: bool) -> str:
    attempts = Notification.objects.filter(pk=notification.pk).values_list("attempts", flat=True).first() or 0
    if permanent or attempts >= settings.DOCKET_NOTIFICATION_MAX_ATTEMPTS:
        _give_up(notification.pk, now=now, error=error)
        return NotificationStatus.DEAD.value
    Notification.objects.filter(pk=notification.pk, status__in=DUE_STATUSES).update(
        status=NotificationStatus.FAILED,
        next_attempt_at=now + backoff(attempts),
        dispatched_at=None,
        locked_until=None,
        last_error=error[:4000],
    )
    log.warning("notification %s failed (attempt %s): %s", notification.pk, attempts, error)
    return NotificationStatus.FAILED.value


@transaction.atomic
def _give_up(notification_id: int, *, now: dt.datetime, error: str) -> None:
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("directive", "task", "obligation", "escalation")
        .filter(pk=notification_id, status__in=DUE_STATUSES)
        .first()
    )
    if notification is None:
        return
    Notification.objects.filter(pk=notification_id).update(
        status=NotificationStatus.DEAD, locked_until=None, last_error=error[:4000]
    )
    log.error("notification %s is dead after %s attempts: %s", notification_id, notification.attempts, error)
    if notification.directive is None:
        return
    about = (
        notification.payload.get("subject", notification.event)
        if isinstance(notification.payload, dict)
        else ""
    )
    append_entry(
        directive=notification.directive,
        kind=EntryKind.NOTIFICATION_FAILED,
        occurred_at=now,
        actor=None,
        now=now,
        task=notification.task,
        obligation=notification.obligation,
        summary=f"Notification to {notification.recipient} ({notification.get_channel_display().lower()}) "
        f"failed after {notification.attempts} attempt{'s' if notification.attempts != 1 else ''} and was "
        f"given up: {error[:300]}. It was: {about}",
        data={
            "notification": notification.pk,
            "idempotency_key": notification.idempotency_key,
            "recipient": notification.recipient,
            "channel": notification.channel,
            "attempts": notification.attempts,
            "error": error[:1000],
            "escalation": notification.escalation_id,
        },
    )


def requeue(*, ids: list[int], now: dt.datetime) -> int:
    """Give dead, failed or cancelled rows a fresh start (the admin's "retry now"); the relay sends them."""
    return Notification.objects.filter(
        pk__in=ids,
        status__in=[NotificationStatus.DEAD, NotificationStatus.FAILED, NotificationStatus.CANCELLED],
    ).update(
        status=NotificationStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        dispatched_at=None,
        locked_until=None,
    )
