"""docs/permissions.md says what directives/permissions.py does."""

from __future__ import annotations

from directives.choices import Role
from directives.permissions import ROLE_TABLE, Action

from .permissions_doc import DESCRIPTIONS, DOC, current_table, render_table


def test_every_action_is_described() -> None:
    assert set(DESCRIPTIONS) == {a.value for a in Action}


def test_the_role_table_in_the_docs_matches_the_code() -> None:
    assert current_table(DOC.read_text(encoding="utf-8")) == render_table(), (
        "docs/permissions.md is out of date: run `.venv/bin/python -m tests.trust.permissions_doc --write`"
    )


def test_the_rendering_follows_the_role_table() -> None:
    """A cell says yes exactly when the role is in ROLE_TABLE (the renderer asks ``can``, not the dict)."""
    table = render_table()
    header = next(line for line in table.splitlines() if line.startswith("| Action"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    for action in Action:
        row = next(line for line in table.splitlines() if line.startswith(f"| `{action.value}`"))
        cells = dict(zip(columns, [c.strip() for c in row.strip("|").split("|")], strict=True))
        for role in Role:
            assert (cells[role.label] != "no") == (role in ROLE_TABLE[action]), (action, role)
        assert cells["No role"] == "no"
