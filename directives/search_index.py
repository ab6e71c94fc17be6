# ruff: noqa: S608 - the SQL is built from this module's constants (tables, columns, kinds), never from input
"""The search index's triggers on the embedded default (SQLite), kept in place.

SQLite cannot alter most of a table in place: Django's migrations rebuild it (a new table, the rows
copied, the old one dropped), and the old table's triggers go with it. The index's triggers are therefore
re-created after every ``migrate`` (``post_migrate``, connected in ``apps.py``) when any is missing, and
the rows of a source whose triggers were missing are indexed again, so a row changed while they were gone
is found by its current text. PostgreSQL keeps triggers across ``ALTER TABLE``; nothing to do there.

The sources and their columns are those of migration ``0014_document_text_and_search``, which created the
index; a source or column added later is added in both places.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

# (kind, table, the columns whose change re-indexes a row, its directive, its title, its body, the
# condition for a row to be indexed): the same as the migration's.
SOURCES: list[tuple[int, str, list[str], str, str, str, str]] = [
    (
        0,
        "directives_directive",
        ["reference", "title", "summary", "full_text"],
        "{r}.id",
        "{r}.reference || ' ' || {r}.title",
        "{r}.summary || {nl} || substr({r}.full_text, 1, 300000)",
        "",
    ),
    (
        1,
        "directives_directivedocument",
        ["original_name", "text"],
        "{r}.directive_id",
        "{r}.original_name",
        "{r}.text",
        "",
    ),
    (
        2,
        "directives_remediationtask",
        ["title", "description", "resolution"],
        "{r}.directive_id",
        "{r}.title",
        "{r}.description || {nl} || {r}.resolution",
        "",
    ),
    (
        3,
        "directives_timelineentry",
        ["summary"],
        "{r}.directive_id",
        "''",
        "{r}.summary",
        "{r}.actor_id IS NOT NULL",
    ),
]
FTS = "directives_search_fts"


def sqlite_triggers(
    kind: int, table: str, columns: list[str], directive: str, title: str, body: str, where: str
) -> tuple[dict[str, str], str]:
    """The three triggers of one source (name -> statement), and the statement that indexes its rows."""

    def values(r: str) -> str:
        return ", ".join(e.format(r=r, nl="char(10)") for e in (directive, title, body))

    insert = f"INSERT INTO {FTS}(rowid, directive_id, title, body)"
    row = f"{insert} SELECT new.id * 4 + {kind}, {values('new')}" + (
        f" WHERE {where.format(r='new')};" if where else ";"
    )
    remove = f"DELETE FROM {FTS} WHERE rowid = old.id * 4 + {kind};"
    triggers = {
        f"{table}_search_ins": f"AFTER INSERT ON {table} FOR EACH ROW BEGIN {row} END",
        f"{table}_search_upd": f"AFTER UPDATE OF {', '.join(columns)} ON {table} FOR EACH ROW BEGIN {remove} {row} END",
        f"{table}_search_del": f"AFTER DELETE ON {table} FOR EACH ROW BEGIN {remove} END",
    }
    backfill = f"{insert} SELECT t.id * 4 + {kind}, {values('t')} FROM {table} t" + (
        f" WHERE {where.format(r='t')}" if where else ""
    )
    return triggers, backfill


def ensure_sqlite_triggers(using: str = "default", **_: Any) -> list[str]:
    """Re-create what a table rebuild dropped; return the tables whose rows were indexed again."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for (name,) in cursor.fetchall()}
        if FTS not in present:  # before migration 0014, or a database without the index
            return []
        rebuilt = []
        for kind, table, columns, directive, title, body, where in SOURCES:
            triggers, backfill = sqlite_triggers(kind, table, columns, directive, title, body, where)
            missing = [name for name in triggers if name not in present]
            if not missing:
                continue
            for name in missing:
                cursor.execute(f"CREATE TRIGGER {name} {triggers[name]}")
            cursor.execute(f"DELETE FROM {FTS} WHERE rowid % 4 = {kind}")
            cursor.execute(backfill)
            rebuilt.append(table)
        return rebuilt
