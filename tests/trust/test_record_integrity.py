"""The database guards the record on both backends, and keeps each chain's head apart from it, so a removal
(last entry, whole chain, every row) is reported by ``verify_timeline`` without a checkpoint."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from directives.choices import EntryKind
from directives.models import TimelineEntry, TimelineHead
from directives.services.directives import record_action
from directives.services.integrity import verify_record
from directives.services.timeline import entry_rows_for_bulk, lock_chain

from ..db_guards import as_owner, tamper
from .chains import comment_chains


@pytest.fixture
def chains(legal, now):
    """Two directives: a receipt and two comments each (three entries)."""
    return comment_chains(actor=legal, now=now, comments=2)


def _head(directive) -> tuple[int, str]:
    head = TimelineHead.objects.get(directive=directive)
    return head.seq, head.hash


def _last(directive) -> TimelineEntry:
    return TimelineEntry.objects.filter(directive=directive).order_by("-seq")[0]


def _verify_fails(match: str) -> str:
    with pytest.raises(CommandError, match=match) as err:
        call_command("verify_timeline")
    return str(err.value)


def test_every_append_moves_the_head_in_the_same_transaction(chains, legal, now) -> None:
    directive = chains[0]
    assert _head(directive) == (3, _last(directive).hash)
    with transaction.atomic():
        record_action(
            directive=directive, kind=EntryKind.COMMENT, summary="4", occurred_at=now, actor=legal, now=now
        )
        assert _head(directive) == (4, _last(directive).hash)
        transaction.set_rollback(True)
    assert _head(directive) == (3, _last(directive).hash)  # rolled back together


def test_a_bulk_insert_moves_the_head_to_its_last_row(chains, now) -> None:
    """The set-based writers (the escalation sweep) insert several entries in one statement."""
    directive = chains[1]
    with transaction.atomic():
        seq, prev = lock_chain(directive.pk)
        rows = entry_rows_for_bulk(
            directive_id=directive.pk,
            start_seq=seq + 1,
            prev_hash=prev,
            items=[
                {
                    "kind": EntryKind.COMMENT,
                    "occurred_at": now,
                    "recorded_at": now,
                    "actor_label": "system",
                    "summary": f"bulk {i}",
                }
                for i in range(3)
            ],
        )
        TimelineEntry.objects.bulk_create(rows)
    assert _head(directive) == (6, rows[-1].hash)
    assert verify_record().ok


def test_the_intact_record_verifies(chains, capsys) -> None:
    call_command("verify_timeline")
    assert "2 chains, 6 entries, all hashes match, every head agrees" in capsys.readouterr().out


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE directives_timelineentry SET summary = 'changed' WHERE id = %s",
        "DELETE FROM directives_timelineentry WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry_on_every_backend(chains, sql) -> None:
    entry = _last(chains[0])
    with (
        as_owner(),
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(sql, [entry.pk])
    assert TimelineEntry.objects.get(pk=entry.pk).summary == entry.summary


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE directives_timelinehead SET seq = seq - 1 WHERE directive_id = %s",
        "UPDATE directives_timelinehead SET hash = 'x' WHERE directive_id = %s",
        "DELETE FROM directives_timelinehead WHERE directive_id = %s",
    ],
)
def test_a_head_cannot_be_moved_back_rewritten_or_deleted(chains, sql) -> None:
    before = _head(chains[0])
    with (
        as_owner(),
        pytest.raises(DatabaseError, match="head"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(sql, [chains[0].pk])
    assert _head(chains[0]) == before


@pytest.mark.services
@pytest.mark.parametrize("table", ["directives_timelineentry", "directives_timelinehead"])
def test_postgres_refuses_truncate_even_to_a_superuser(chains, table) -> None:
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as in a session of its own: no pending checks
    with (
        as_owner(),
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(f"TRUNCATE {table} CASCADE")
    assert TimelineEntry.objects.count() == 6


def test_a_deleted_last_entry_is_reported_without_a_checkpoint(chains) -> None:
    last = _last(chains[0])
    tamper("DELETE FROM directives_timelineentry WHERE id = %s", [last.pk])
    message = _verify_fails("FAILED")
    assert f"directive {chains[0].pk}: its chain ends at #2 but its head says #3" in message
    assert "entries #3 to #3 were removed" in message


def test_a_deleted_whole_chain_is_reported_without_a_checkpoint(chains) -> None:
    tamper("DELETE FROM directives_timelineentry WHERE directive_id = %s", [chains[1].pk])
    message = _verify_fails("FAILED")
    assert f"directive {chains[1].pk}: has no entries, though every directive has its receipt" in message
    assert "its head says #3" in message


def test_a_chain_removed_with_its_head_is_still_reported(chains) -> None:
    tamper("DELETE FROM directives_timelineentry WHERE directive_id = %s", [chains[1].pk])
    tamper("DELETE FROM directives_timelinehead WHERE directive_id = %s", [chains[1].pk])
    _verify_fails(f"directive {chains[1].pk}: has no entries, though every directive has its receipt")


def test_every_row_removed_is_reported(chains, capsys) -> None:
    tamper("DELETE FROM directives_timelineentry")
    with pytest.raises(CommandError):
        call_command("verify_timeline")
    out = capsys.readouterr().out
    for directive in chains:
        assert f"head: directive {directive.pk}: has no entries" in out


def test_a_removed_head_is_reported(chains) -> None:
    tamper("DELETE FROM directives_timelinehead WHERE directive_id = %s", [chains[0].pk])
    _verify_fails(f"directive {chains[0].pk}: its chain ends at #3 but it has no head")


def test_a_chain_longer_than_its_head_is_reported(chains) -> None:
    """Entries the head never saw were inserted past the trigger (here: the head moved back instead)."""
    second = TimelineEntry.objects.get(directive=chains[0], seq=2)
    tamper(
        "UPDATE directives_timelinehead SET seq = 2, hash = %s WHERE directive_id = %s",
        [second.hash, chains[0].pk],
    )
    _verify_fails(f"directive {chains[0].pk}: its chain runs to #3 past its head #2")


def test_a_directive_removed_with_its_chain_leaves_its_head(chains) -> None:
    pk = chains[1].pk
    tamper("DELETE FROM directives_timelineentry WHERE directive_id = %s", [pk])
    for table in ("directives_directiveproduct", "directives_obligation", "directives_directive"):
        column = "id" if table == "directives_directive" else "directive_id"
        tamper(f"DELETE FROM {table} WHERE {column} = %s", [pk])  # noqa: S608
    _verify_fails(f"directive {pk}: the directive is gone, but its head says #3")
    # The head now names a missing directive: remove it too, or SQLite's deferred foreign-key check fails
    # the test's teardown.
    tamper("DELETE FROM directives_timelinehead WHERE directive_id = %s", [pk])


def test_a_single_directive_is_checked_against_its_head(chains) -> None:
    tamper("DELETE FROM directives_timelineentry WHERE id = %s", [_last(chains[0]).pk])
    call_command("verify_timeline", "--directive", str(chains[1].pk))
    with pytest.raises(CommandError, match="its head says #3"):
        call_command("verify_timeline", "--directive", str(chains[0].pk))


def test_no_checkpoint_is_signed_over_a_cut_chain(chains, settings, tmp_path) -> None:
    settings.DOCKET_CHECKPOINT_KEY = "k" * 48
    tamper("DELETE FROM directives_timelineentry WHERE id = %s", [_last(chains[0]).pk])
    with pytest.raises(CommandError, match=r"no checkpoint written: first bad entry: .*its head says #3"):
        call_command("timeline_checkpoint", "--output", str(tmp_path / "c.json"))
    assert not (tmp_path / "c.json").exists()


def test_a_rewrite_with_recomputed_hashes_is_caught_by_the_head(chains) -> None:
    """Rewriting an entry and recomputing every later hash keeps the chain valid, but its end no longer
    is the entry its head names; only someone who also rewrites the head gets past this (then only a
    checkpoint tells, tests/trust/test_checkpoints.py)."""
    from .test_checkpoints import rewrite_and_rehash

    rewrite_and_rehash(chains[0], 2, "acknowledged later than it was", fix_head=False)
    _verify_fails(f"directive {chains[0].pk}: entry #3 is not the entry its head names")


def test_on_sqlite_a_table_rebuild_cannot_leave_the_record_unguarded(chains) -> None:
    """A later migration that rebuilds the table drops its triggers: after every migrate they are back."""
    from directives.record_guards import ensure_sqlite_guards, sqlite_statements

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps triggers across ALTER TABLE")
    assert ensure_sqlite_guards() == []  # all in place
    with connection.cursor() as cur:
        for name in sqlite_statements():
            cur.execute(f"DROP TRIGGER {name}")
    assert ensure_sqlite_guards() == list(sqlite_statements())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM directives_timelineentry")
