"""Reading one's inbox: a message marked read, or all of them. A read mark is the reader's own
bookkeeping, not a legal act: a ``NotificationRead`` row per reader and message, no timeline entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from ..errors import NotAllowed
from ..models import Notification, NotificationRead
from ..selectors.inbox import inbox_of, unread_of

BATCH = 1000


def message_of(*, user: Any, notification_id: int) -> Notification:
    """``user``'s message ``notification_id``; ``NotAllowed`` when it was not sent to them (the same answer
    whether or not it exists, so that ids are not probed)."""
    found = inbox_of(user).filter(pk=notification_id).first()
    if found is None:
        raise NotAllowed("This message was not sent to you.", field="notification")
    return found


@transaction.atomic
def mark_read(*, user: Any, notification: Notification, now: dt.datetime) -> bool:
    """Mark ``notification`` (one of ``user``'s messages: see ``message_of``) read; False when it
    already was. Safe to call twice or concurrently (the database keeps one mark per reader)."""
    if NotificationRead.objects.filter(notification=notification, user=user).exists():
        return False
    NotificationRead.objects.bulk_create(
        [NotificationRead(notification=notification, user=user, read_at=now)], ignore_conflicts=True
    )
    return True


@transaction.atomic
def mark_all_read(*, user: Any, now: dt.datetime) -> int:
    """Mark every unread message of ``user`` read; returns how many were unread."""
    total = 0
    while True:
        ids = list(unread_of(user).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        NotificationRead.objects.bulk_create(
            [NotificationRead(notification_id=pk, user=user, read_at=now) for pk in ids],
            ignore_conflicts=True,
        )
        total += len(ids)
