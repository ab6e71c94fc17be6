from __future__ import annotations

from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """Project wiring as an app: its deployment checks (compliance/checks.py) and the PostgreSQL timestamp
    loader (compliance/postgres.py) are registered when Django starts."""

    name = "compliance"
    verbose_name = "Docket project"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  registers the checks
            postgres,
        )

        postgres.install()
