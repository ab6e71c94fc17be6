"""The role table: who may do what. Defined once here; the services, the UI, the API and the admin all
ask ``can``/``require``; docs/permissions.md is written from this table.

Roles are Django groups named after ``Role``. Staff users (admins) may do everything except edit or
delete a timeline entry, which nobody may do.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .choices import Role
from .errors import NotAllowed

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Action(StrEnum):
    VIEW = "view"  # read directives, tasks, timeline, dashboard, reports
    LOG_DIRECTIVE = "log_directive"
    EDIT_DIRECTIVE = "edit_directive"  # status, posture, products, documents
    RECORD_ACTION = "record_action"  # what happened and when, statements, appeals, corrections
    RECORD_ACCESS_CHANGE = "record_access_change"
    MANAGE_OBLIGATIONS = "manage_obligations"
    CREATE_TASK = "create_task"
    REASSIGN_TASK = "reassign_task"
    WORK_TASK = "work_task"  # edit, status, evidence, resolve: object-level (assignee)
    VERIFY_TASK = "verify_task"  # a second person, never the resolver
    COMMENT = "comment"
    MANAGE_WEBHOOKS = "manage_webhooks"
    VIEW_SIGN_INS = "view_sign_ins"  # the sign-in record: sign-ins, refusals, role changes, API tokens
    SUSPEND_PRODUCTS = "suspend_products"  # one click: every audience of every product a directive names
    APPROVE_LIFT = "approve_lift"  # a second person, never the one who requested the lift
    MANAGE_CONTROLS = "manage_controls"  # connect a product to the switch of its access


L, E, X, A = Role.LEGAL, Role.ENGINEERING, Role.EXECUTIVE, Role.AUDITOR

ROLE_TABLE: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset({L, E, X, A}),
    Action.LOG_DIRECTIVE: frozenset({L}),
    Action.EDIT_DIRECTIVE: frozenset({L}),
    Action.RECORD_ACTION: frozenset({L}),
    Action.RECORD_ACCESS_CHANGE: frozenset({L, E}),
    Action.MANAGE_OBLIGATIONS: frozenset({L}),
    Action.CREATE_TASK: frozenset({L, E}),
    Action.REASSIGN_TASK: frozenset({L, E}),
    Action.WORK_TASK: frozenset({L, E}),
    Action.VERIFY_TASK: frozenset({L, E}),
    Action.COMMENT: frozenset({L, E, X}),
    Action.MANAGE_WEBHOOKS: frozenset(),  # staff only
    Action.VIEW_SIGN_INS: frozenset({A}),
    Action.SUSPEND_PRODUCTS: frozenset({L}),
    Action.APPROVE_LIFT: frozenset({L}),
    Action.MANAGE_CONTROLS: frozenset(),  # staff only
}

# Actions checked against the object as well as the role.
OBJECT_RULES_DOC = {
    Action.WORK_TASK: "engineers only on tasks assigned to them; legal on any task",
    Action.VERIFY_TASK: "anyone but the person who resolved the task",
    Action.APPROVE_LIFT: "anyone but the person who requested the lift",
}


def roles_of(user: AbstractBaseUser | AnonymousUser | None) -> frozenset[Role]:
    if user is None or not user.is_authenticated:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, "_docket_roles", None)
    if cached is None:
        account: Any = user
        names = set(account.groups.values_list("name", flat=True))
        cached = frozenset(r for r in Role if r.value in names)
        account._docket_roles = cached
    return cached


def can(user: AbstractBaseUser | AnonymousUser | None, action: Action, obj: Any = None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return _object_rule(user, action, obj, staff=True)
    if not roles_of(user) & ROLE_TABLE[action]:
        return False
    return _object_rule(user, action, obj, staff=False)


def _object_rule(user: Any, action: Action, obj: Any, *, staff: bool) -> bool:
    if obj is None:
        return True
    if action is Action.WORK_TASK and not staff:
        if Role.LEGAL in roles_of(user):
            return True
        return bool(getattr(obj, "assignee_id", None) == user.pk)
    if action is Action.VERIFY_TASK:
        return bool(getattr(obj, "resolved_by_id", None) != user.pk)
    if action is Action.APPROVE_LIFT:
        return bool(getattr(obj, "requested_by_id", None) != user.pk)
    return True


def require(user: AbstractBaseUser | AnonymousUser | None, action: Action, obj: Any = None) -> None:
    """Raise ``NotAllowed`` with a sentence a person understands. ``None`` is the system: always allowed."""
    if user is None:
        return
    if not can(user, action, obj):
        raise NotAllowed(_refusal(user, action, obj))


def _refusal(user: Any, action: Action, obj: Any) -> str:
    if action is Action.VERIFY_TASK and obj is not None and getattr(obj, "resolved_by_id", None) == user.pk:
        return "A task must be verified by someone other than the person who resolved it."
    if action is Action.APPROVE_LIFT and obj is not None and getattr(obj, "requested_by_id", None) == user.pk:
        return "A lift must be approved by someone other than the person who requested it."
    if action is Action.WORK_TASK and obj is not None and roles_of(user) & ROLE_TABLE[action]:
        return "Only the assignee (or legal) can change this task."
    allowed = ", ".join(sorted(r.label for r in ROLE_TABLE[action])) or "administrators"
    return f"Your role cannot {action.value.replace('_', ' ')}; this needs: {allowed}."
