from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ..permissions import Action, can
from . import config


def sign_in(request: HttpRequest) -> dict[str, Any]:
    """What the login page and the header offer: the provider's button, the password form, or both."""
    passwords = config.local_passwords_allowed()
    return {
        "sign_in": {
            "sso": config.enabled(),
            "provider_name": config.provider_name(),
            "local_passwords": passwords,
            "break_glass_only": not passwords and bool(config.break_glass_usernames()),
            "can_view_record": can(getattr(request, "user", None), Action.VIEW_SIGN_INS),
        }
    }
