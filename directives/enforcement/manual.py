"""The manual connector: a person switches access by hand and confirms it in Docket.

Docket cannot reach the switch, so nothing is applied or evaluated automatically: the enforcement waits for
a person to press "Confirm applied" on the directive page (``services.enforcement.confirm_manually``), and
the drift watch passes such controls by."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .connectors import Applied, ConnectorRefused


class ManualConnector:
    kind = "manual"

    def apply(
        self, *, target: Mapping[str, Any], product: str, states: Mapping[str, str], key: str
    ) -> Applied:
        raise ConnectorRefused("A person applies a manual control and confirms it in Docket.")

    def evaluate(self, *, target: Mapping[str, Any], product: str, audience: str) -> str:
        raise ConnectorRefused("Docket cannot read a manual control; a person confirms it.")
