"""The timeline: the only code that writes ``TimelineEntry`` rows, and the code that verifies them.

Each entry's SHA-256 covers its content and the previous entry's hash on the same directive's chain.
(directive, seq) is unique, so two writers cannot both append entry N: one of them fails and its whole
transaction (the business change included) rolls back, rather than forking the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import namedtuple
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from ..choices import EntryKind
from ..deadlines import require_aware
from ..errors import InvalidInput
from ..models import Directive, Obligation, Product, RemediationTask, TimelineEntry

GENESIS = "0" * 64
SYSTEM = "system"
# Clocks of different machines disagree a little; an occurred_at this far ahead is still "now".
FUTURE_TOLERANCE = dt.timedelta(seconds=5)


def canonical_instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_data(data: dict[str, Any] | None) -> dict[str, Any]:
    """``data`` as it will read back from the JSON column (dates as strings, sorted keys)."""
    loaded: dict[str, Any] = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, sort_keys=True))
    return loaded


def entry_payload(
    *,
    directive_id: int,
    seq: int,
    kind: str,
    occurred_at: dt.datetime,
    recorded_at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    summary: str,
    data: dict[str, Any],
    obligation_id: int | None,
    task_id: int | None,
    product_id: int | None,
    supersedes_id: int | None,
    prev_hash: str,
) -> bytes:
    body = {
        "directive": directive_id,
        "seq": seq,
        "kind": str(kind),
        "occurred_at": canonical_instant(occurred_at),
        "recorded_at": canonical_instant(recorded_at),
        "actor": actor_id,
        "actor_label": actor_label,
        "summary": summary,
        "data": data,
        "obligation": obligation_id,
        "task": task_id,
        "product": product_id,
        "supersedes": supersedes_id,
        "prev": prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class HashedFields(Protocol):
    """What an entry's hash covers: a TimelineEntry, or a row read for verification."""

    directive_id: int
    seq: int
    kind: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    actor_id: int | None
    actor_label: str
    summary: str
    data: dict[str, Any]
    obligation_id: int | None
    task_id: int | None
    product_id: int | None
    supersedes_id: int | None
    prev_hash: str


def compute_hash(entry: HashedFields) -> str:
    payload = entry_payload(
        directive_id=entry.directive_id,
        seq=entry.seq,
        kind=entry.kind,
        occurred_at=entry.occurred_at,
        recorded_at=entry.recorded_at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        summary=entry.summary,
        data=entry.data,
        obligation_id=entry.obligation_id,
        task_id=entry.task_id,
        product_id=entry.product_id,
        supersedes_id=entry.supersedes_id,
        prev_hash=entry.prev_hash,
    )
    return hashlib.sha256(payload).hexdigest()


def _clean_text(value: str, *, field: str, max_length: int | None = None) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text.", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character, which cannot be stored.", field=field)
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters.", field=field)
    return value


@transaction.atomic
def append_entry(
    *,
    directive: Directive,
    kind: EntryKind,
    occurred_at: dt.datetime,
    actor: Any,
    summary: str,
    now: dt.datetime,
    data: dict[str, Any] | None = None,
    obligation: Obligation | None = None,
    task: RemediationTask | None = None,
    product: Product | None = None,
    supersedes: TimelineEntry | None = None,
) -> TimelineEntry:
    """Append one entry to ``directive``'s chain. ``actor`` is a user, or ``None`` for the system."""
    require_aware(occurred_at, field="occurred_at")
    require_aware(now, field="now")
    if occurred_at > now + FUTURE_TOLERANCE:
        raise InvalidInput(
            f"occurred_at {occurred_at.isoformat()} is in the future (server time {now.isoformat()}).",
            field="occurred_at",
        )
    summary = _clean_text(summary, field="summary", max_length=20_000).strip()
    if not summary:
        raise InvalidInput("A timeline entry needs a summary.", field="summary")
    if supersedes is not None and supersedes.directive_id != directive.pk:
        raise InvalidInput("A correction must belong to the same directive as the entry it corrects.")

    seq, prev_hash = lock_chain(directive.pk)
    entry = TimelineEntry(
        directive_id=directive.pk,
        seq=seq + 1,
        kind=kind,
        occurred_at=occurred_at.astimezone(dt.UTC),
        recorded_at=now.astimezone(dt.UTC),
        actor=actor,
        actor_label=actor.get_username() if actor is not None else SYSTEM,
        summary=summary,
        data=canonical_data(data),
        obligation=obligation,
        task=task,
        product=product,
        supersedes=supersedes,
        prev_hash=prev_hash,
    )
    entry.hash = compute_hash(entry)
    _insert(entry)
    return entry


def _insert(entry: TimelineEntry) -> None:
    """``entry.save(force_insert=True)`` in one plain ``INSERT ... RETURNING id``: the values are prepared
    by the fields themselves (``get_db_prep_save``), without the ORM's insert compiler (issue 7)."""
    meta = TimelineEntry._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn(meta.pk.column)}"
    )
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        (entry.pk,) = cursor.fetchone()
    entry._state.adding = False
    entry._state.db = connection.alias


def lock_chain(directive_id: int) -> tuple[int, str]:
    """Serialise the appenders of one chain and return its head (seq, hash), or (0, GENESIS) for an
    empty chain. Call inside a transaction. On PostgreSQL the directive's row lock (``FOR UPDATE``);
    SQLite's IMMEDIATE transaction already holds the database write lock. The unique (directive, seq)
    constraint backs both.

    Two statements on purpose: the head must be read *after* the lock is granted. In one statement
    (a join or a lateral subquery beside ``FOR UPDATE``) PostgreSQL re-checks only the locked row after
    waiting and keeps the head it read before, which a writer that committed meanwhile has replaced.
    Plain SQL rather than the ORM: this runs once per entry written (issue 7: appends per second)."""
    directive_table = Directive._meta.db_table
    entry_table = TimelineEntry._meta.db_table
    exists = f"SELECT id FROM {directive_table} WHERE id = %s"  # noqa: S608
    head_sql = f"SELECT seq, hash FROM {entry_table} WHERE directive_id = %s ORDER BY seq DESC LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Both statements in one round trip (the driver binds parameters client-side): each still runs
            # with its own snapshot, the head's taken after the lock is granted.
            cursor.execute(f"{exists} FOR UPDATE; {head_sql}", [directive_id, directive_id])
            found = cursor.fetchone()
            cursor.nextset()
        else:
            cursor.execute(exists, [directive_id])
            found = cursor.fetchone()
            cursor.execute(head_sql, [directive_id])
        if found is None:
            raise InvalidInput(f"Directive {directive_id} does not exist.", field="directive")
        head = cursor.fetchone()
    return (head[0], head[1]) if head else (0, GENESIS)


def entry_rows_for_bulk(
    *,
    directive_id: int,
    start_seq: int,
    prev_hash: str,
    items: Iterable[dict[str, Any]],
) -> list[TimelineEntry]:
    """Chain several new entries for one directive in memory (for set-based writers such as the
    escalation sweep, which hold the directive's chain lock). Each item has the keyword fields of
    ``TimelineEntry`` except seq, prev_hash and hash."""
    rows: list[TimelineEntry] = []
    seq, prev = start_seq, prev_hash
    for item in items:
        item = dict(item)
        item["data"] = canonical_data(item.get("data"))
        entry = TimelineEntry(directive_id=directive_id, seq=seq, prev_hash=prev, **item)
        entry.hash = compute_hash(entry)
        rows.append(entry)
        seq, prev = seq + 1, entry.hash
    return rows


# --- Verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    directive_id: int
    seq: int
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        return f"directive {self.directive_id}, entry #{self.seq} (id {self.entry_id}): {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    directive_id: int
    entries: int
    head_seq: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


# The columns a verification reads: the row's id, what the hash covers (HashedFields), and the stored hash.
# Rows come as light records with the model's attribute names (compute_hash reads only those), not model
# instances: building 12,775 instances was a quarter of the largest directive's check (docs/benchmarks.md).
_VERIFY_FIELDS = ("pk", *HashedFields.__annotations__, "hash")
_EntryRow = namedtuple("_EntryRow", _VERIFY_FIELDS)  # type: ignore[misc]


def _iter_entries(directive_id: int) -> Iterator[Any]:
    rows = (
        TimelineEntry.objects.filter(directive_id=directive_id)
        .order_by("seq")
        .values_list(*_VERIFY_FIELDS)
        .iterator(chunk_size=2000)
    )
    return (_EntryRow._make(row) for row in rows)


def verify_chain(directive_id: int) -> ChainReport:
    """Recompute ``directive_id``'s chain; report the first entry that does not match."""
    prev, expected_seq, count, head_hash = GENESIS, 1, 0, GENESIS
    for entry in _iter_entries(directive_id):
        count += 1
        problem = None
        if entry.seq != expected_seq:
            problem = f"sequence gap: expected #{expected_seq}"
        elif entry.prev_hash != prev:
            problem = "previous-hash link broken (an earlier entry was changed or removed)"
        elif compute_hash(entry) != entry.hash:
            problem = "content does not match its hash (the entry was changed after it was written)"
        if problem:
            return ChainReport(
                directive_id,
                count,
                entry.seq,
                head_hash,
                ChainProblem(directive_id, entry.seq, entry.pk, problem),
            )
        prev, expected_seq, head_hash = entry.hash, entry.seq + 1, entry.hash
    return ChainReport(directive_id, count, expected_seq - 1, head_hash, None)


def verify_all() -> list[ChainReport]:
    ids = Directive.objects.order_by("pk").values_list("pk", flat=True)
    return [verify_chain(pk) for pk in ids]
