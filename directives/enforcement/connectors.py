"""The connector interface: how Docket asks a product's access switch to change, and reads it back.

A connector makes the live access equal the requested states (``apply``) and tells what one audience sees
right now (``evaluate``). ``target`` is the control's non-secret configuration (for Unleash: project,
environment, flag, context field; for a webhook: URL and status URL). Credentials come from settings,
never from the target, and never appear in an ``Applied.detail``, a page, the API, a log or the timeline."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class ConnectorUnavailable(Exception):
    """The switch could not be reached or failed on its side (network down, 5xx, timeout): retry later."""


class ConnectorRefused(Exception):
    """The switch refused the request (4xx, bad configuration): retrying the same request will not help."""


@dataclass(frozen=True)
class Applied:
    """The switch's answer to an applied change: JSON-safe, never a secret."""

    detail: dict[str, Any]


class Connector(Protocol):
    kind: str  # "manual" | "webhook" | "unleash"

    def apply(
        self, *, target: Mapping[str, Any], product: str, states: Mapping[str, str], key: str
    ) -> Applied:
        """Make the live access equal ``states`` (audience key -> "available"|"restricted"|"suspended");
        idempotent for the same ``key`` and ``states``."""
        ...

    def evaluate(self, *, target: Mapping[str, Any], product: str, audience: str) -> str:
        """The live access state ("available"|"restricted"|"suspended") as ``audience`` sees it now."""
        ...


# kind -> "module:attribute" of a zero-argument factory, imported only when first asked for, so the
# embedded default never imports what it does not use.
_REGISTRY: dict[str, str] = {
    "manual": "directives.enforcement.manual:ManualConnector",
    "webhook": "directives.enforcement.webhook:WebhookConnector",
    "unleash": "directives.enforcement.unleash:UnleashConnector",
}

KINDS: tuple[str, ...] = tuple(_REGISTRY)


def connector_for(kind: str) -> Connector:
    """The connector for ``kind``; ``ConnectorRefused`` for a kind Docket does not know."""
    path = _REGISTRY.get(kind)
    if path is None:
        raise ConnectorRefused(f"Unknown connector kind {kind!r}.")
    module_name, _, attribute = path.partition(":")
    factory: Callable[[], Connector] = getattr(importlib.import_module(module_name), attribute)
    return factory()
