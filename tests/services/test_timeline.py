from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction

from directives.choices import EntryKind, Role
from directives.errors import InvalidInput
from directives.models import Directive, TimelineEntry
from directives.services.directives import add_correction, record_action
from directives.services.timeline import (
    GENESIS,
    append_entry,
    compute_hash,
    entry_payload,
    payload_parts,
    verify_chain,
)

from ..db_guards import as_owner, tamper
from ..factories import UserFactory, make_directive


@pytest.fixture
def directive(legal):
    return make_directive(actor=legal)


def test_receipt_is_the_first_entry_at_the_receipt_instant(directive, legal) -> None:
    first = TimelineEntry.objects.get(directive=directive, seq=1)
    assert first.kind == EntryKind.RECEIVED
    assert first.occurred_at == directive.received_at
    assert first.recorded_at == directive.received_at + dt.timedelta(minutes=19)  # logged at 17:40
    assert first.actor == legal and first.actor_label == "legal-test"
    assert first.prev_hash == GENESIS and first.hash == compute_hash(first)
    assert "17:21 EST" in first.summary


def test_chain_links_each_entry_to_the_previous(directive, legal, now) -> None:
    for i in range(3):
        record_action(
            directive=directive,
            kind=EntryKind.COMMENT,
            summary=f"note {i}",
            occurred_at=now,
            actor=legal,
            now=now,
        )
    entries = list(TimelineEntry.objects.filter(directive=directive).order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    for prev, entry in itertools.pairwise(entries):
        assert entry.prev_hash == prev.hash
    report = verify_chain(directive.pk)
    assert report.ok and report.entries == 4 and report.head_hash == entries[-1].hash


def test_system_entries_have_no_user(directive, now) -> None:
    entry = append_entry(
        directive=directive,
        kind=EntryKind.ESCALATED,
        occurred_at=now,
        actor=None,
        summary="Escalated to level 1",
        now=now,
    )
    assert entry.actor is None and entry.actor_label == "system"


# Text that JSON escapes, or that SQL or a driver could mangle on the way to PostgreSQL's sha256.
AWKWARD = [
    "plain",
    "Ünïcödé — “quotes” and 'apostrophes'",
    'a "quoted" word, a backslash \\ and a tab\tand\nnew lines',
    "emoji 🚫 and CJK 輸出管理 and RTL עברית",
    "percent %s %(name)s and braces {}",
    "'); DROP TABLE directives_timelineentry; --",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_the_payload_cut_around_the_chain_position_joins_back_to_the_payload(text) -> None:
    fields = {
        "directive_id": 7,
        "kind": EntryKind.COMMENT,
        "occurred_at": dt.datetime(2026, 11, 27, 22, 21, tzinfo=dt.UTC),
        "recorded_at": dt.datetime(2026, 11, 27, 22, 40, 0, 123456, tzinfo=dt.UTC),
        "actor_id": None,
        "actor_label": text[:150],
        "summary": text,
        "data": {"z": [1, 2.5, None, True], "a": {"nested": text}, "ü": ""},
        "obligation_id": 3,
        "task_id": None,
        "product_id": 12,
        "supersedes_id": None,
    }
    head, middle, tail = payload_parts(SimpleNamespace(**fields, seq=None, prev_hash=None))
    for seq, prev in [(1, GENESIS), (12345, "ab" * 32)]:
        joined = (head + prev + middle + str(seq) + tail).encode()
        assert joined == entry_payload(seq=seq, prev_hash=prev, **fields)


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_text_is_appended_with_the_hash_the_verifier_computes(directive, legal, now, text) -> None:
    entry = append_entry(
        directive=directive,
        kind=EntryKind.COMMENT,
        occurred_at=now,
        actor=legal,
        now=now,
        summary=text,
        data={"said": text, "n": [1, 2]},
    )
    stored = TimelineEntry.objects.get(pk=entry.pk)
    assert (stored.seq, stored.prev_hash, stored.hash) == (entry.seq, entry.prev_hash, entry.hash)
    assert stored.summary == text and stored.data == {"said": text, "n": [1, 2]}
    assert compute_hash(stored) == stored.hash
    assert verify_chain(directive.pk).ok


def test_an_entry_written_inside_a_transaction_rolls_back_with_it(directive, legal, now) -> None:
    before = TimelineEntry.objects.filter(directive=directive).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        append_entry(
            directive=directive, kind=EntryKind.COMMENT, occurred_at=now, actor=legal, now=now, summary="x"
        )
        assert TimelineEntry.objects.filter(directive=directive).count() == before + 1
        raise RuntimeError("the business change failed")
    assert TimelineEntry.objects.filter(directive=directive).count() == before
    entry = append_entry(
        directive=directive, kind=EntryKind.COMMENT, occurred_at=now, actor=legal, now=now, summary="y"
    )
    assert entry.seq == before + 1 and verify_chain(directive.pk).ok


def test_an_entry_for_a_directive_that_does_not_exist_is_refused(directive, legal, now) -> None:
    missing = Directive(pk=directive.pk + 1000)
    with pytest.raises(InvalidInput, match="does not exist"):
        append_entry(
            directive=missing, kind=EntryKind.COMMENT, occurred_at=now, actor=legal, now=now, summary="x"
        )
    assert not TimelineEntry.objects.filter(directive_id=missing.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_an_append_is_whole_or_nothing(now) -> None:
    """Outside a transaction (a script, a worker) an entry is its own transaction: on PostgreSQL the lock
    and the insert go as one query, which commits or fails as one."""
    legal = UserFactory(username="legal-autocommit", role=Role.LEGAL)
    directive = make_directive(actor=legal)
    assert connection.get_autocommit()
    entries = [
        append_entry(
            directive=directive, kind=EntryKind.COMMENT, occurred_at=now, actor=legal, now=now, summary=text
        )
        for text in AWKWARD
    ]
    ghost = get_user_model()(pk=10**9, username="ghost")  # never saved: its foreign key fails
    with pytest.raises(IntegrityError):
        append_entry(
            directive=directive, kind=EntryKind.COMMENT, occurred_at=now, actor=ghost, now=now, summary="lost"
        )
    assert not TimelineEntry.objects.filter(summary="lost").exists()
    last = append_entry(
        directive=directive, kind=EntryKind.COMMENT, occurred_at=now, actor=legal, now=now, summary="after"
    )
    assert [e.seq for e in entries] == list(range(2, 2 + len(AWKWARD)))
    assert last.seq == entries[-1].seq + 1 and last.prev_hash == entries[-1].hash
    report = verify_chain(directive.pk)
    assert report.ok and report.entries == len(AWKWARD) + 2


def test_future_occurred_at_is_refused_and_nothing_written(directive, legal, now) -> None:
    before = TimelineEntry.objects.count()
    with pytest.raises(InvalidInput, match="in the future"):
        record_action(
            directive=directive,
            kind=EntryKind.ACKNOWLEDGED,
            summary="ack",
            occurred_at=now + dt.timedelta(hours=1),
            actor=legal,
            now=now,
        )
    assert TimelineEntry.objects.count() == before


def test_naive_occurred_at_is_refused(directive, legal, now) -> None:
    with pytest.raises(InvalidInput, match="time zone or UTC offset"):
        record_action(
            directive=directive,
            kind=EntryKind.ACKNOWLEDGED,
            summary="ack",
            occurred_at=dt.datetime(2026, 11, 27, 17, 35),
            actor=legal,
            now=now,
        )


def test_backdated_entry_keeps_both_times(directive, legal, now) -> None:
    entry = record_action(
        directive=directive,
        kind=EntryKind.ACKNOWLEDGED,
        summary="Receipt acknowledged",
        occurred_at=now - dt.timedelta(minutes=5),
        actor=legal,
        now=now,
    )
    assert entry.occurred_at == now - dt.timedelta(minutes=5)
    assert entry.recorded_at == now


def test_correction_supersedes_and_leaves_the_original(directive, legal, now) -> None:
    original = record_action(
        directive=directive,
        kind=EntryKind.ACKNOWLEDGED,
        summary="Acknowledged 17:30",
        occurred_at=now - dt.timedelta(minutes=10),
        actor=legal,
        now=now,
    )
    fix = add_correction(
        entry=original,
        summary="Acknowledged at 17:35, not 17:30",
        actor=legal,
        now=now,
        occurred_at=now - dt.timedelta(minutes=5),
    )
    original.refresh_from_db()
    assert original.summary == "Acknowledged 17:30"
    assert fix.supersedes == original and fix.kind == EntryKind.CORRECTION
    assert fix.data["corrects_seq"] == original.seq
    assert verify_chain(directive.pk).ok


def _raw_update(sql: str, params: list) -> None:
    """Tamper as a database superuser would, past the timeline's guards."""
    tamper(sql, params)


def test_raw_sql_update_is_detected_by_verify_timeline(directive, legal, now, capsys) -> None:
    record_action(
        directive=directive, kind=EntryKind.ACKNOWLEDGED, summary="ack", occurred_at=now, actor=legal, now=now
    )
    call_command("verify_timeline")
    assert "all hashes match" in capsys.readouterr().out
    entry = TimelineEntry.objects.get(directive=directive, seq=1)
    _raw_update(
        "UPDATE directives_timelineentry SET summary = %s WHERE id = %s", ["Received at 18:00", entry.pk]
    )
    with pytest.raises(CommandError) as err:
        call_command("verify_timeline")
    assert f"directive {directive.pk}, entry #1 (id {entry.pk})" in str(err.value)
    assert "content does not match its hash" in str(err.value)


def test_rewritten_and_rehashed_entry_breaks_the_next_link(directive, legal, now) -> None:
    record_action(
        directive=directive, kind=EntryKind.ACKNOWLEDGED, summary="ack", occurred_at=now, actor=legal, now=now
    )
    entry = TimelineEntry.objects.get(directive=directive, seq=1)
    entry.summary = "rewritten"
    new_hash = compute_hash(entry)
    _raw_update(
        "UPDATE directives_timelineentry SET summary = %s, hash = %s WHERE id = %s",
        ["rewritten", new_hash, entry.pk],
    )
    report = verify_chain(directive.pk)
    assert report.problem is not None
    assert not report.ok and report.problem.seq == 2 and "link broken" in report.problem.reason


def test_duplicate_sequence_cannot_fork_the_chain(directive) -> None:
    first = TimelineEntry.objects.get(directive=directive, seq=1)
    clone = TimelineEntry(
        directive=directive,
        seq=1,
        kind=EntryKind.COMMENT,
        occurred_at=first.occurred_at,
        recorded_at=first.recorded_at,
        actor_label="x",
        summary="fork",
        prev_hash=GENESIS,
        hash="0",
    )
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - IntegrityError on every backend
        clone.save(force_insert=True)


@pytest.mark.services
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE directives_timelineentry SET summary = 'changed' WHERE id = %s",
        "DELETE FROM directives_timelineentry WHERE id = %s",
    ],
)
def test_postgres_trigger_refuses_update_and_delete(directive, sql) -> None:
    entry = TimelineEntry.objects.get(directive=directive, seq=1)
    with (
        as_owner(),
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.summary.startswith("Authority")


@pytest.mark.services
def test_postgres_trigger_refuses_orm_update(directive) -> None:
    with as_owner(), pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TimelineEntry.objects.filter(directive=directive).update(summary="changed")
