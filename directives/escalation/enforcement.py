"""Escalating an access change that is not carried out (dead, or not confirmed as a deadline nears) or a
control whose live access drifted: legal and the product's owner are told at once, through the outbox,
and the directive's timeline says so."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import Group

from ..choices import EntryKind, Role
from ..models import Control, Directive, Notification, NotificationStatus, WebhookEvent
from ..services.timeline import append_entry
from .hooks import _subscribed_endpoints
from .messages import EMAIL, WEBHOOK


def escalate_access(
    *,
    directive: Directive,
    control: Control,
    subject: str,
    text: str,
    data: dict[str, Any],
    stamp: str,
    now: dt.datetime,
) -> list[Notification]:
    """One timeline entry and the outbox rows: the legal group, the control's owner and every webhook
    subscribed to escalations. ``stamp`` makes the idempotency keys (one escalation per stamp)."""
    append_entry(
        directive=directive,
        kind=EntryKind.ESCALATED,
        occurred_at=now,
        actor=None,
        now=now,
        product=control.product,
        summary=text,
        data={"enforcement": data},
    )
    common: dict[str, Any] = {
        "event": WebhookEvent.ESCALATED,
        "directive": directive,
        "status": NotificationStatus.PENDING,
        "next_attempt_at": now,
        "created_at": now,
    }
    payload = {"subject": subject, "text": text, "data": data}
    rows: list[Notification] = []
    legal = Group.objects.filter(name=Role.LEGAL.value).first()
    if legal is not None:  # addresses: the group's members when the email is sent
        rows.append(
            Notification(
                idempotency_key=f"{stamp}:group:{legal.pk}",
                channel=EMAIL,
                recipient=f"group:{legal.name}",
                group=legal,
                payload={**payload, "to": []},
                **common,
            )
        )
    owner = control.owner
    if owner is not None and owner.is_active and owner.email:
        rows.append(
            Notification(
                idempotency_key=f"{stamp}:user:{owner.pk}",
                channel=EMAIL,
                recipient=f"user:{owner.get_username()}",
                user=owner,
                payload={**payload, "to": [owner.email]},
                **common,
            )
        )
    for endpoint in _subscribed_endpoints(WebhookEvent.ESCALATED):
        rows.append(
            Notification(
                idempotency_key=f"{stamp}:webhook:{endpoint.pk}",
                channel=WEBHOOK,
                recipient=f"webhook:{endpoint.name}",
                webhook=endpoint,
                payload={**payload, "to": []},
                **common,
            )
        )
    return Notification.objects.bulk_create(rows, ignore_conflicts=True)
