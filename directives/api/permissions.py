"""API permissions, read from the one role table in ``directives.permissions``.

Each viewset names, per action, the ``Action`` (or any of several) it needs; the request is refused
with 403 before any service runs. Object rules (an engineer works only the tasks assigned to them; the
resolver never verifies) are checked on the object with the same ``can``. The services check again.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from ..errors import NotAllowed
from ..permissions import OBJECT_RULES_DOC, Action, can, require

ActionSpec = Action | tuple[Action, ...]


def _needed(view: APIView) -> tuple[Action, ...]:
    spec: dict[str, ActionSpec] = getattr(view, "role_actions", {})
    name = getattr(view, "action", None) or ("list" if getattr(view, "request", None) else "")
    if name == "metadata":
        return (Action.VIEW,)
    needed = spec.get(str(name))
    if needed is None:
        # An action nobody mapped is refused rather than silently open.
        return ()
    return needed if isinstance(needed, tuple) else (needed,)


class RoleTablePermission(BasePermission):
    message = "Your role does not allow this."
    code = "not_allowed"

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        needed = _needed(view)
        if any(can(user, action) for action in needed):
            return True
        if needed:
            self.message = _refusal(user, needed[0], None)
        return False

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        needed = [a for a in _needed(view) if a in OBJECT_RULES_DOC]
        if not needed:
            return True
        if any(can(request.user, action, obj) for action in needed):
            return True
        self.message = _refusal(request.user, needed[0], obj)
        return False


class IsStaff(BasePermission):
    """Webhook subscriptions: the role table gives MANAGE_WEBHOOKS to no role, i.e. staff only."""

    message = "Only administrators can manage webhook subscriptions."
    code = "not_allowed"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(
            request.user and request.user.is_authenticated and can(request.user, Action.MANAGE_WEBHOOKS)
        )


def _refusal(user: Any, action: Action, obj: Any) -> str:
    try:
        require(user, action, obj)
    except NotAllowed as exc:
        return exc.message
    return "Your role does not allow this."
