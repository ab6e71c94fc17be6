"""The search index's triggers survive SQLite's table rebuilds: a migration that rebuilds a source table
drops its triggers, and ``post_migrate`` puts them back, indexing again a row changed while they were gone."""

from __future__ import annotations

import pytest
from django.db import connection

from directives.models import Directive
from directives.search_index import SOURCES, ensure_sqlite_triggers
from directives.selectors.search import search
from tests.factories import make_directive

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: PostgreSQL keeps triggers"),
]


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_search_%'")
        return {name for (name,) in cursor.fetchall()}


def test_every_source_has_its_three_triggers_after_migrate() -> None:
    assert _triggers() == {
        f"{table}_search_{op}" for _k, table, *_ in SOURCES for op in ("ins", "upd", "del")
    }


def test_a_rebuilt_table_gets_its_triggers_and_its_rows_back() -> None:
    directive = make_directive(title="Order", summary="Block all foreign nationals.")
    with connection.cursor() as cursor:  # what a table rebuild does to the triggers
        for op in ("ins", "upd", "del"):
            cursor.execute(f"DROP TRIGGER directives_directive_search_{op}")
    Directive.objects.filter(pk=directive.pk).update(summary="Suspend every audience.")
    assert search("suspend").total == 0  # changed while the triggers were gone

    assert ensure_sqlite_triggers() == ["directives_directive"]
    assert ensure_sqlite_triggers() == []  # nothing missing any more
    assert [h.object_id for h in search("suspend").hits] == [directive.pk]
    assert search("nationals").total == 0
