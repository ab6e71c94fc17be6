from __future__ import annotations

from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """Project wiring as an app only so that its deployment checks are registered (compliance/checks.py)."""

    name = "compliance"
    verbose_name = "Docket project"

    def ready(self) -> None:
        from . import checks  # noqa: F401  registers the checks
