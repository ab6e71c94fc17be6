"""The migration that types the links between directives: each pair the untyped "related" named becomes
one "relates to" link, read from the directive logged later, and both pages show it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from directives.models import DirectiveLink
from directives.selectors.directives import link_rows

from .db_guards import as_owner

BEFORE = [("directives", "0021_enforcement")]
AFTER = [("directives", "0022_directive_links")]
FRIDAY = dt.datetime(2026, 11, 27, 22, 21, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_related_directives_become_relates_to_links() -> None:
    with as_owner():  # migrations run as the tables' owner (the suite may run as the runtime role)
        ids = _migrate_with_related_directives()
    eo, dod, order = ids
    assert sorted(DirectiveLink.objects.values_list("source_id", "kind", "target_id")) == [
        (order, "relates_to", eo),
        (order, "relates_to", dod),
    ]
    assert [(r.label, r.other.reference) for r in link_rows(eo)] == [("Relates to", "BIS-ORD-AI-2026-0417")]
    assert [r.other.reference for r in link_rows(order)] == ["DOD-SCR-2026-011", "EO-2026-VMR"]


def _migrate_with_related_directives() -> tuple[int, int, int]:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    authority = old.get_model("directives", "Authority").objects.create(
        name="U.S. Department of Commerce", jurisdiction="United States (federal)"
    )
    Directive = old.get_model("directives", "Directive")
    made = [
        Directive.objects.create(
            authority=authority, reference=reference, title=reference, kind="other", received_at=FRIDAY
        )
        for reference in ("EO-2026-VMR", "DOD-SCR-2026-011", "BIS-ORD-AI-2026-0417")
    ]
    eo, dod, order = made
    order.related.add(eo, dod)  # symmetrical: four rows in the through table, two pairs

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    return eo.pk, dod.pk, order.pk
