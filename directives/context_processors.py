from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .choices import Role
from .instants import viewer_zone
from .permissions import Action, can, roles_of


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    held = roles_of(user)
    return {
        "user_roles": sorted(r.value for r in held),
        "is_legal": Role.LEGAL in held or bool(getattr(user, "is_staff", False)),
        "is_engineer": Role.ENGINEERING in held,
        "is_executive": Role.EXECUTIVE in held or Role.AUDITOR in held,
        "can_log_directive": can(user, Action.LOG_DIRECTIVE),
        # The zone work instants (due dates, reminders) are shown in for this person.
        "viewer_zone": viewer_zone(user),
    }
