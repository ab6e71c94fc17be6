"""The legal record's triggers on the embedded default (SQLite), kept in place.

SQLite cannot alter most of a table in place: Django's migrations rebuild it (a new table, the rows copied,
the old one dropped), and the old table's triggers go with it. A later migration that touches the timeline
or its heads would so silently remove the append-only guards and the head trigger: they are re-created
after every ``migrate`` (``post_migrate``, connected in ``apps.py``) when any is missing, from migration
0013's own statements. PostgreSQL keeps triggers across ``ALTER TABLE``; nothing to do there.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db import connections

_MIGRATION = "directives.migrations.0013_timeline_head_and_guards"


def sqlite_statements() -> dict[str, str]:
    """Each SQLite trigger of the record, by name, as migration 0013 creates it."""
    migration = importlib.import_module(_MIGRATION)
    return {"docket_timeline_head": migration.SQLITE_HEAD_TRIGGER, **migration.SQLITE_GUARDS}


def ensure_sqlite_guards(using: str = "default", **_: Any) -> list[str]:
    """Re-create the record's triggers a table rebuild dropped; return their names."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for (name,) in cursor.fetchall()}
        if "directives_timelinehead" not in present:  # before migration 0013
            return []
        missing = [name for name in sqlite_statements() if name not in present]
        for name in missing:
            cursor.execute(sqlite_statements()[name])
    return missing
