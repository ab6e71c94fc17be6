"""Least privilege on PostgreSQL, on this test database: an owner role and a runtime role are created (inside
the test's transaction, so they vanish with it), the record's tables are given to the owner, and the runtime
role is granted what ``manage.py db_roles`` grants. Then, as the runtime role, the record can be read and
appended to and nothing else; as the owner, TRUNCATE is still refused by the trigger; and whatever a
superuser removes with the triggers off, ``verify_timeline`` reports without a checkpoint."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from compliance.checks import runtime_database_role
from compliance.db_roles import create_role_statements, grant_statements, runtime_role_problems
from directives.choices import EntryKind
from directives.models import TimelineEntry, TimelineHead
from directives.services.directives import record_action

from ..db_guards import as_role, tamper
from .chains import comment_chains

ENTRIES, HEADS = "directives_timelineentry", "directives_timelinehead"


def _execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def roles(db) -> tuple[str, str]:
    """(owner, runtime), created for this test only: roles, ownership and grants roll back with it."""
    name = connection.settings_dict["NAME"][:40]
    owner, runtime = f"{name}_t_owner", f"{name}_t_app"
    with as_role(None):
        for sql in create_role_statements(owner=owner, runtime=runtime):
            _execute(sql)
        for table in (ENTRIES, HEADS):
            _execute(f"ALTER TABLE {table} OWNER TO {owner}")
        _execute(f"ALTER FUNCTION docket_timeline_advance_head() OWNER TO {owner}")
        for sql in grant_statements(runtime=runtime, owner=owner):
            _execute(sql)
        # Pending foreign-key checks of the test's own inserts would block TRUNCATE before its trigger.
        _execute("SET CONSTRAINTS ALL IMMEDIATE")
    return owner, runtime


@pytest.fixture
def chains(legal, now):
    return comment_chains(actor=legal, now=now, comments=1)


@pytest.mark.services
def test_the_runtime_role_reads_and_appends_and_the_head_follows(roles, chains, legal, now) -> None:
    _, runtime = roles
    with as_role(runtime):
        entry = record_action(
            directive=chains[0],
            kind=EntryKind.COMMENT,
            summary="as the app",
            occurred_at=now,
            actor=legal,
            now=now,
        )
        head = TimelineHead.objects.get(directive=chains[0])
        assert (head.seq, head.hash) == (3, entry.hash)  # written by the owner's trigger function
        assert TimelineEntry.objects.filter(directive=chains[0]).count() == 3
        call_command("verify_timeline")


@pytest.mark.services
@pytest.mark.parametrize(
    ("sql", "refusal"),
    [
        pytest.param(
            "UPDATE directives_timelineentry SET summary = 'changed'", "permission denied", id="update"
        ),
        pytest.param("DELETE FROM directives_timelineentry", "permission denied", id="delete"),
        pytest.param("TRUNCATE directives_timelineentry", "permission denied", id="truncate"),
        pytest.param(
            f"ALTER TABLE {ENTRIES} DISABLE TRIGGER docket_timeline_no_update", "must be owner", id="disable"
        ),
        pytest.param(f"ALTER TABLE {ENTRIES} DISABLE TRIGGER ALL", "must be owner", id="disable-all"),
        pytest.param("UPDATE directives_timelinehead SET seq = 1", "permission denied", id="head-update"),
        pytest.param("DELETE FROM directives_timelinehead", "permission denied", id="head-delete"),
        pytest.param("TRUNCATE directives_timelinehead", "permission denied", id="head-truncate"),
        pytest.param(f"ALTER TABLE {ENTRIES} OWNER TO CURRENT_USER", "must be owner", id="take-ownership"),
    ],
)
def test_the_runtime_role_cannot_change_the_record(roles, chains, sql, refusal) -> None:
    _, runtime = roles
    with as_role(runtime), pytest.raises(DatabaseError, match=refusal), transaction.atomic():
        _execute(sql)
    assert TimelineEntry.objects.count() == 4
    assert (
        not TimelineEntry.objects.exclude(summary__startswith="Authority").exclude(summary="note 0").exists()
    )


@pytest.mark.services
@pytest.mark.parametrize("table", [ENTRIES, HEADS])
def test_the_owner_is_still_refused_truncate_by_the_trigger(roles, chains, table) -> None:
    owner, _ = roles
    with (
        as_role(owner),
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
    ):
        _execute(f"TRUNCATE {table} CASCADE")
    assert TimelineEntry.objects.count() == 4


@pytest.mark.services
def test_the_deploy_check_passes_for_the_runtime_role_only(roles, chains) -> None:
    owner, runtime = roles
    with as_role(runtime):
        assert runtime_role_problems() == []
        assert runtime_database_role(None) == []
    with as_role(owner):
        problems = runtime_role_problems()
        assert f"the database role {owner} owns {ENTRIES} (owner {owner})" in problems[0]
        assert any(f"may UPDATE, DELETE, TRUNCATE {ENTRIES}" in p for p in problems)
        (error, *_) = runtime_database_role(None)
        assert error.id == "docket.E030"
    with as_role(None):
        (problem,) = runtime_role_problems()
        assert "is a superuser" in problem


@pytest.mark.services
def test_the_deploy_check_names_a_granted_update_and_a_disabled_trigger(roles, chains) -> None:
    owner, runtime = roles
    with as_role(owner):
        _execute(f"GRANT UPDATE (summary) ON {ENTRIES} TO {runtime}")
        _execute(f"ALTER TABLE {ENTRIES} DISABLE TRIGGER docket_timeline_no_truncate")
    with as_role(runtime):
        assert runtime_role_problems() == [
            f"the database role {runtime} may UPDATE {ENTRIES}",
            f"trigger(s) docket_timeline_no_truncate on {ENTRIES} are missing or disabled",
        ]


@pytest.mark.services
@pytest.mark.parametrize(
    ("removal", "found"),
    [
        pytest.param(
            "DELETE FROM directives_timelineentry WHERE directive_id = %(first)s AND seq = 2",
            "{first}: its chain ends at #1 but its head says #2",
            id="last-entry",
        ),
        pytest.param(
            "DELETE FROM directives_timelineentry WHERE directive_id = %(first)s",
            "{first}: has no entries, though every directive has its receipt",
            id="whole-chain",
        ),
        pytest.param(
            "DELETE FROM directives_timelineentry; DELETE FROM directives_timelinehead",
            "{first}: has no entries, though every directive has its receipt",
            id="all-rows-and-heads",
        ),
    ],
)
def test_any_removal_by_a_superuser_is_reported_without_a_checkpoint(roles, chains, removal, found) -> None:
    """As a superuser with the triggers off (``session_replication_role = replica``): the database cannot
    stop this, but ``verify_timeline`` reports it, then run as the runtime role."""
    _, runtime = roles
    first = chains[0].pk
    tamper(removal.replace("%(first)s", str(first)))
    with as_role(runtime), pytest.raises(CommandError, match="Timeline verification FAILED") as err:
        call_command("verify_timeline")
    assert f"directive {found.format(first=first)}" in str(err.value)


def test_on_sqlite_the_check_says_it_does_not_apply(settings) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("the embedded default's answer")
    (info,) = runtime_database_role(None)
    assert info.id == "docket.I030" and "only PostgreSQL has roles" in info.msg
