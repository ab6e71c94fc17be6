"""Renders the role table of docs/permissions.md from directives/permissions.py by asking ``can`` itself,
so the document says what the code does. Regenerate after changing the table:

    .venv/bin/python -m tests.trust.permissions_doc --write

test_permissions_doc.py fails when the document and the code disagree."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
BEGIN = (
    "<!-- BEGIN ROLE TABLE: generated from directives/permissions.py by tests/trust/permissions_doc.py -->"
)
END = "<!-- END ROLE TABLE -->"

# What each action covers, in the words a user would use. A new Action without a line here fails the test.
DESCRIPTIONS = {
    "view": "See directives, obligations, tasks, evidence and documents (and download them), the timeline, "
    "the dashboard and reports",
    "log_directive": "Log an incoming order; add or edit an authority",
    "edit_directive": "Change a directive's status, amend its title, reference, summary, scope and effective instant, add products (and create a product) and documents, link it to other directives and remove those links",
    "record_action": "Record what happened and when (backdating allowed), publish a statement, add a correction",
    "record_access_change": "Record a change of a product's access (suspended, restricted, restored)",
    "manage_obligations": "Add obligations with their deadline rules; mark them met or waived",
    "create_task": "Create a remediation task",
    "reassign_task": "Reassign a task; move its due date",
    "work_task": "Edit a task's title, description and priority, change its status, add evidence (until it is verified), resolve it",
    "verify_task": "Verify a resolved task (a second person)",
    "comment": "Comment on a directive or task",
    "manage_webhooks": "Manage webhook endpoints for notifications",
    "view_sign_ins": "See the sign-in record: who signed in or was refused, when, from which address; role "
    "changes from the identity provider; API tokens created and revoked",
    "suspend_products": "Suspend every audience of every product a directive names, in one step, through each "
    "product's control",
    "approve_lift": "Approve lifting a restriction on a controlled product (a second person)",
    "manage_controls": "Connect a product to the switch of its access (connector, target and owner), change"
    " or remove it (the product's control page, `/products/{id}/control/`)",
}


def _user(pk: int, roles: frozenset[Any], *, staff: bool = False) -> SimpleNamespace:
    # ``roles_of`` reads the cached ``_docket_roles``: no database needed.
    return SimpleNamespace(
        pk=pk, is_authenticated=True, is_active=True, is_staff=staff, is_superuser=staff, _docket_roles=roles
    )


def _cell(user: Any, action: Any) -> str:
    from directives.permissions import OBJECT_RULES_DOC, can

    if not can(user, action):
        return "no"
    if action not in OBJECT_RULES_DOC:
        return "yes"
    own = SimpleNamespace(assignee_id=user.pk, resolved_by_id=user.pk, requested_by_id=user.pk)
    others = SimpleNamespace(assignee_id=-1, resolved_by_id=-1, requested_by_id=-1)
    on_own, on_others = can(user, action, own), can(user, action, others)
    if on_own and on_others:
        return "yes"
    if on_own:
        return "own only ¹"
    if on_others:
        return "not own ¹"
    return "no"


def render_table() -> str:
    from directives.choices import Role
    from directives.permissions import OBJECT_RULES_DOC, Action

    columns = [(role.label, _user(1, frozenset({role}))) for role in Role]
    columns.append(("Administrator (staff)", _user(2, frozenset(), staff=True)))
    columns.append(("No role", _user(3, frozenset())))
    lines = [
        BEGIN,
        "",
        "| Action | What it covers | " + " | ".join(name for name, _ in columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    for action in Action:
        cells = " | ".join(_cell(user, action) for _, user in columns)
        lines.append(f"| `{action.value}` | {DESCRIPTIONS[action.value]} | {cells} |")
    lines += ["", "¹ Object-level rules, checked against the task (or the lift request) itself:", ""]
    for action, rule in OBJECT_RULES_DOC.items():
        lines.append(f"- `{action.value}`: {rule}.")
    lines += ["", END]
    return "\n".join(lines)


def current_table(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[start:end]


def write() -> None:
    text = DOC.read_text(encoding="utf-8")
    DOC.write_text(text.replace(current_table(text), render_table()), encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    else:
        print(render_table())
