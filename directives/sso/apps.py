from __future__ import annotations

from django.apps import AppConfig


class SignInConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "directives.sso"
    label = "sso"
    verbose_name = "Docket: sign-in"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  registers the deploy checks
            signals,
        )

        signals.connect()
