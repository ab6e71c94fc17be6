"""The signed-webhook connector, for in-house kill switches.

``apply`` POSTs ``{"product", "states", "key"}`` to ``target["url"]``; ``evaluate`` POSTs
``{"product", "audience"}`` to ``target["status_url"]`` and reads ``{"state": ...}`` back. Both bodies are
signed like outgoing notifications (``X-Docket-Signature: sha256=<HMAC of the body>``, the secret from
``DOCKET_ENFORCEMENT_WEBHOOK_SECRET``) and carry the idempotency key, so the receiver can verify the sender
and drop a repeat. 5xx, timeouts and refused connections are retryable; other non-2xx answers are not."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import requests
from django.conf import settings

from ..choices import AccessState
from ..services.notifications import EVENT_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign
from .connectors import Applied, ConnectorRefused, ConnectorUnavailable

MAX_ANSWER_BYTES = 4000  # what is kept of the switch's answer (the timeline shows it)


class WebhookConnector:
    kind = "webhook"

    def apply(
        self, *, target: Mapping[str, Any], product: str, states: Mapping[str, str], key: str
    ) -> Applied:
        answer = _post(
            _url(target, "url"),
            {"product": product, "states": dict(states), "key": key},
            event="access.apply",
            key=key,
        )
        return Applied(detail=answer)

    def evaluate(self, *, target: Mapping[str, Any], product: str, audience: str) -> str:
        answer = _post(
            _url(target, "status_url"),
            {"product": product, "audience": audience},
            event="access.status",
            key="",
        )
        state = answer.get("state")
        if state not in AccessState.values:
            raise ConnectorRefused(f"The status URL answered no known access state ({state!r}).")
        return str(state)


def _url(target: Mapping[str, Any], field: str) -> str:
    url = target.get(field)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ConnectorRefused(f"The control's {field} is not an http(s) URL.")
    return url


def _post(url: str, payload: dict[str, Any], *, event: str, key: str) -> dict[str, Any]:
    if not settings.DOCKET_ENFORCEMENT_WEBHOOK_SECRET:
        raise ConnectorRefused("DOCKET_ENFORCEMENT_WEBHOOK_SECRET is not set: Docket signs every request.")
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Docket-Enforcement/1",
        SIGNATURE_HEADER: sign(body, settings.DOCKET_ENFORCEMENT_WEBHOOK_SECRET),
        EVENT_HEADER: event,
    }
    if key:
        headers[IDEMPOTENCY_HEADER] = key
    try:
        response = requests.post(
            url,
            data=body,
            headers=headers,
            timeout=settings.DOCKET_WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        # The class only: the URL may carry a token, and errors are shown on the page.
        raise ConnectorUnavailable(f"kill switch unreachable: {type(exc).__name__}") from None
    if response.status_code >= 500:
        raise ConnectorUnavailable(f"kill switch answered HTTP {response.status_code}")
    if not 200 <= response.status_code < 300:
        raise ConnectorRefused(f"kill switch refused: HTTP {response.status_code}")
    return _answer(response)


def _answer(response: requests.Response) -> dict[str, Any]:
    """The switch's JSON object, bounded; its status code when it sent none."""
    text = response.text[: MAX_ANSWER_BYTES + 1]
    try:
        data = json.loads(text) if len(text) <= MAX_ANSWER_BYTES else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return {"http_status": response.status_code}
    return data
