"""Webhook subscriptions: add, change and remove the endpoints that notifications are POSTed to. They are
configuration, not a legal record: no timeline entry. Administrators only (``MANAGE_WEBHOOKS``); the
webhooks page and ``/api/v1/webhooks/`` call these functions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from ..errors import InvalidInput, InvalidTransition
from ..models import WebhookEndpoint, WebhookEvent
from ..permissions import Action, require
from .common import MAX_WEB_ADDRESS, require_text, require_web_address

MAX_NAME = 120
MAX_URL = MAX_WEB_ADDRESS
MIN_SECRET, MAX_SECRET = 16, 200
FIELDS = ("name", "url", "secret", "active", "events")


def _name(value: Any, *, exclude: int | None = None) -> str:
    name = require_text(value, field="name", max_length=MAX_NAME)
    taken = WebhookEndpoint.objects.filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise InvalidInput(f"A webhook named {name!r} already exists.", field="name")
    return name


def _url(value: Any) -> str:
    return require_web_address(value, field="url")


def _secret(value: Any) -> str:
    secret = require_text(value, field="secret", max_length=MAX_SECRET)
    if len(secret) < MIN_SECRET:
        raise InvalidInput(
            f"The secret must be at least {MIN_SECRET} characters ({len(secret)} given).", field="secret"
        )
    return secret


def _events(value: Iterable[Any]) -> list[str]:
    events = [str(v) for v in value]
    unknown = sorted(set(events) - set(WebhookEvent.values))
    if unknown:
        raise InvalidInput(f"Unknown event: {', '.join(unknown)}.", field="events")
    if len(set(events)) != len(events):
        raise InvalidInput("An event is listed twice.", field="events")
    return events


def _active(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("active must be true or false.", field="active")
    return value


@transaction.atomic
def create_webhook(
    *,
    name: Any,
    url: Any,
    secret: Any,
    actor: Any,
    active: Any = True,
    events: Iterable[Any] = (),
) -> WebhookEndpoint:
    """Subscribe an endpoint; deliveries are signed with ``secret`` (HMAC-SHA256, never shown again)."""
    require(actor, Action.MANAGE_WEBHOOKS)
    return WebhookEndpoint.objects.create(
        name=_name(name),
        url=_url(url),
        secret=_secret(secret),
        active=_active(active),
        events=_events(events),
    )


@transaction.atomic
def update_webhook(*, webhook: WebhookEndpoint, changes: dict[str, Any], actor: Any) -> WebhookEndpoint:
    """Change the fields given in ``changes`` (a blank or absent secret keeps the one stored)."""
    require(actor, Action.MANAGE_WEBHOOKS)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"A webhook has no field {unknown[0]!r}.", field=unknown[0])
    check = {
        "name": lambda v: _name(v, exclude=webhook.pk),
        "url": _url,
        "active": _active,
        "events": _events,
    }
    for field, value in changes.items():
        if field == "secret":
            if value:
                webhook.secret = _secret(value)
            continue
        setattr(webhook, field, check[field](value))
    webhook.save()
    return webhook


def delete_webhook(*, webhook: WebhookEndpoint, actor: Any) -> None:
    """Remove an endpoint nothing was sent to; one with notifications on record, or named by an escalation
    step, is refused (409): deactivate it instead."""
    require(actor, Action.MANAGE_WEBHOOKS)
    if webhook.steps.exists():
        raise InvalidTransition(
            f"Webhook {webhook.name!r} is named by an escalation step; remove it there first, "
            "or deactivate it (active: false).",
            field="active",
        )
    try:
        with transaction.atomic():
            webhook.delete()
    except ProtectedError as exc:
        raise InvalidTransition(
            f"Webhook {webhook.name!r} has notifications on record; deactivate it (active: false) instead.",
            field="active",
        ) from exc
