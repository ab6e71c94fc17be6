from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .choices import Role
from .instants import viewer_zone
from .permissions import Action, can, roles_of
from .selectors import inbox, ladders


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    held = roles_of(user)
    return {
        "user_roles": sorted(r.value for r in held),
        "is_legal": Role.LEGAL in held or bool(getattr(user, "is_staff", False)),
        "is_engineer": Role.ENGINEERING in held,
        "is_executive": Role.EXECUTIVE in held or Role.AUDITOR in held,
        "can_log_directive": can(user, Action.LOG_DIRECTIVE),
    }


def reader(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's zone (work instants are shown in it) and unread messages: one query, run
    the first time a template asks for either (an htmx fragment that shows neither costs nothing)."""
    user = getattr(request, "user", None)

    def read() -> inbox.Reader:
        state = inbox.reader(user)
        if getattr(user, "is_authenticated", False):
            user.docket_time_zone = state.time_zone  # type: ignore[union-attr]  # what viewer_zone reads
        return state

    state: Any = SimpleLazyObject(read)

    def zone() -> ZoneInfo:
        state.unread  # noqa: B018  (the one query, which leaves the preference on the user)
        return viewer_zone(user)

    return {
        "viewer_zone": SimpleLazyObject(zone),
        "inbox_unread": SimpleLazyObject(lambda: state.unread),
        # The top level of each escalation ladder, for "level 2 of 3": read only by a page that shows one.
        "ladder_tops": SimpleLazyObject(ladders.top_levels),
    }
