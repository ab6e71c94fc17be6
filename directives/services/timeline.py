"""The timeline: the only code that writes ``TimelineEntry`` rows, and the code that verifies them.

Each entry's SHA-256 covers its content and the previous entry's hash on the same directive's chain.
(directive, seq) is unique, so two writers cannot both append entry N: one of them fails and its whole
transaction (the business change included) rolls back, rather than forking the chain.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections import namedtuple
from collections.abc import Iterable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import OuterRef, Subquery

from .. import instants
from ..bulk import insert_rows
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


@dataclass(frozen=True)
class Hashed:
    """One field an entry's hash covers: its key in the hashed JSON and the entry's attribute, and whether
    it is an instant (written in UTC to the microsecond, ``canonical_instant``)."""

    key: str
    attname: str
    instant: bool = False


# What an entry's hash covers, besides its place in the chain (``seq`` and ``prev``), in key order (JSON
# sorts the keys, and sorts sorted ones fastest: ``verify_chain`` hashes every entry). The one definition:
# ``append_entry`` on both backends, ``append_entries`` and ``verify_chain`` all derive what they hash from it.
HASHED: tuple[Hashed, ...] = (
    Hashed("actor", "actor_id"),
    Hashed("actor_label", "actor_label"),
    Hashed("data", "data"),
    Hashed("directive", "directive_id"),
    Hashed("kind", "kind"),
    Hashed("obligation", "obligation_id"),
    Hashed("occurred_at", "occurred_at", instant=True),
    Hashed("product", "product_id"),
    Hashed("recorded_at", "recorded_at", instant=True),
    Hashed("summary", "summary"),
    Hashed("supersedes", "supersedes_id"),
    Hashed("task", "task_id"),
)
# The place in the chain, hashed as "seq" and "prev".
CHAIN = (Hashed("seq", "seq"), Hashed("prev", "prev_hash"))


_dump = functools.partial(json.dumps, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _value(entry: Any, field: Hashed) -> Any:
    value = getattr(entry, field.attname)
    if field.instant:
        return canonical_instant(value)
    return str(value) if field.key == "kind" else value


def _body(entry: Any) -> dict[str, Any]:
    """What ``entry``'s hash covers, except its place in the chain (``HASHED``)."""
    return {field.key: _value(entry, field) for field in HASHED}


def _payload(entry: Any) -> bytes:
    body = _body(entry)
    for field in CHAIN:
        body[field.key] = getattr(entry, field.attname)
    return _dump(body).encode()


def entry_payload(**fields: Any) -> bytes:
    """The bytes an entry's SHA-256 is taken over: its ``HASHED`` fields and its place in the chain
    (``CHAIN``; keywords are the entry's attribute names) as canonical JSON (sorted keys, no spaces, UTF-8)."""
    return _payload(SimpleNamespace(**fields))


def compute_hash(entry: Any) -> str:
    return hashlib.sha256(_payload(entry)).hexdigest()


def payload_parts(entry: Any) -> tuple[str, str, str]:
    """``entry_payload`` cut around the two values known only under the chain lock (``CHAIN``): with
    ``seq`` s and ``prev_hash`` p, ``_payload(entry) == (head + p + middle + str(s) + tail).encode()``.
    PostgreSQL joins them to the chain's head in the statement that appends the entry (``append_entry``).
    Sorted keys put "prev" and "seq" between the body's keys; each side is dumped as ``entry_payload``
    dumps the whole. ``entry``'s own seq and prev_hash are not read."""
    seq_key, prev_key = (field.key for field in CHAIN)
    if not prev_key < seq_key:  # pragma: no cover - the layout below depends on it
        raise RuntimeError("the chain's keys must sort prev before seq")
    body = _body(entry)
    before = {k: v for k, v in body.items() if k < prev_key}
    between = {k: v for k, v in body.items() if prev_key < k < seq_key}
    after = {k: v for k, v in body.items() if k > seq_key}
    head = _dump(before)[:-1] + ("," if before else "") + f'"{prev_key}":"'
    middle = '",' + _dump(between)[1:-1] + ("," if between else "") + f'"{seq_key}":'
    tail = "," + _dump(after)[1:] if after else "}"
    return head, middle, tail


def _clean_text(value: str, *, field: str, max_length: int | None = None) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text.", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character, which cannot be stored.", field=field)
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters.", field=field)
    return value


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
    """Append one entry to ``directive``'s chain. ``actor`` is a user, or ``None`` for the system.

    Inside the caller's transaction when there is one (the entry commits or rolls back with the business
    change it records); otherwise in a transaction of its own."""
    instants.check_window(occurred_at, field="occurred_at")
    if directive.received_at is not None:  # the record of an order starts with the order
        instants.check_not_long_before(occurred_at, receipt=directive.received_at)
    require_aware(now, field="now")
    if occurred_at > now + FUTURE_TOLERANCE:
        raise InvalidInput(
            f"occurred_at {instants.legal(occurred_at, instants.UTC, seconds=True)} is in the future "
            f"(server time {instants.legal(now, instants.UTC, seconds=True)}).",
            field="occurred_at",
        )
    summary = _clean_text(summary, field="summary", max_length=20_000).strip()
    if not summary:
        raise InvalidInput("A timeline entry needs a summary.", field="summary")
    if supersedes is not None and supersedes.directive_id != directive.pk:
        raise InvalidInput("A correction must belong to the same directive as the entry it corrects.")

    entry = TimelineEntry(
        directive_id=directive.pk,
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
    )
    if connection.vendor == "postgresql":
        _append_postgresql(entry)
    else:
        with transaction.atomic():
            seq, entry.prev_hash = lock_chain(directive.pk)
            entry.seq = seq + 1
            entry.hash = compute_hash(entry)
            _insert(entry)
    return entry


def _insert(entry: TimelineEntry) -> None:
    """``entry.save(force_insert=True)`` in one plain ``INSERT ... RETURNING id``: the values are prepared
    by the fields themselves (``get_db_prep_save``), without the ORM's insert compiler."""
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
    _saved(entry)


def _saved(entry: TimelineEntry) -> None:
    entry._state.adding = False
    entry._state.db = connection.alias


# The columns PostgreSQL fills from the chain's head under its lock; the others come from the entry.
_CHAIN_COLUMNS = {
    "seq": "COALESCE(h.seq, 0) + 1",
    "prev_hash": "COALESCE(h.hash, %s)",
    "hash": (
        "encode(sha256(convert_to(%s || COALESCE(h.hash, %s) || %s || (COALESCE(h.seq, 0) + 1)::text || %s,"
        " 'UTF8')), 'hex')"
    ),
}


@functools.cache
def _append_sql() -> tuple[str, tuple[Any, ...]]:
    """The chain lock and the append as two statements sent together (see ``lock_chain`` on why two),
    and the entry's fields in the order of the statement's parameters."""
    meta = TimelineEntry._meta
    qn = connection.ops.quote_name
    concrete = [f for f in meta.concrete_fields if not f.primary_key]
    chain = [next(f for f in concrete if f.attname == name) for name in _CHAIN_COLUMNS]
    fields = tuple(f for f in concrete if f.attname not in _CHAIN_COLUMNS)
    entries, directives = qn(meta.db_table), qn(Directive._meta.db_table)
    sql = (
        f"SELECT id FROM {directives} WHERE id = %s FOR NO KEY UPDATE; "  # noqa: S608 (see lock_chain)
        f"INSERT INTO {entries} ({', '.join(qn(f.column) for f in [*chain, *fields])}) "
        f"SELECT {', '.join([*_CHAIN_COLUMNS.values(), *['%s'] * len(fields)])} FROM {directives} d "
        f"LEFT JOIN LATERAL (SELECT seq, hash FROM {entries} WHERE directive_id = d.id "
        "ORDER BY seq DESC LIMIT 1) h ON true WHERE d.id = %s "
        "RETURNING id, seq, prev_hash, hash"
    )
    return sql, fields


def _append_params(entry: TimelineEntry, fields: tuple[Any, ...], db: BaseDatabaseWrapper) -> list[Any]:
    """The parameters of ``_append_sql``'s statements for ``entry``, in their order."""
    head, middle, tail = payload_parts(entry)
    return [
        entry.directive_id,
        GENESIS,
        head,
        GENESIS,
        middle,
        tail,
        *(f.get_db_prep_save(getattr(entry, f.attname), db) for f in fields),
        entry.directive_id,
    ]


def _append_postgresql(entry: TimelineEntry) -> None:
    """Lock the chain, read its head, hash and insert the entry in one round trip: the hash is PostgreSQL's
    ``sha256`` over ``payload_parts`` joined to the head, the same bytes ``compute_hash`` (and so
    ``verify_chain``) hashes. Outside a transaction the two statements, sent as one query, are one
    implicit transaction, committed with the reply; inside one they join it."""
    # The connection itself, looked up once: ``django.db.connection`` is a proxy that finds this thread's
    # connection on every attribute read, and preparing the values reads it a few dozen times.
    db = connections[DEFAULT_DB_ALIAS]
    sql, fields = _append_sql()
    params = _append_params(entry, fields, db)
    joined = transaction.atomic(savepoint=False) if not db.get_autocommit() else nullcontext()
    with joined, db.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.nextset()
        row = cursor.fetchone()
    if row is None:
        raise InvalidInput(f"Directive {entry.directive_id} does not exist.", field="directive")
    entry.pk, entry.seq, entry.prev_hash, entry.hash = row
    _saved(entry)


def lock_chain(directive_id: int) -> tuple[int, str]:
    """Serialise the appenders of one chain and return its head (seq, hash), or (0, GENESIS) for an
    empty chain. Call inside a transaction. On PostgreSQL the directive's row lock (``FOR NO KEY
    UPDATE``); SQLite's IMMEDIATE transaction already holds the database write lock. The unique
    (directive, seq) constraint backs both.

    ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: appenders exclude each other all the same, but the lock
    does not wait for the KEY SHARE locks that foreign-key checks take on the directive's row. With
    ``FOR UPDATE``, two transactions that had each inserted a row referencing the directive (checked at
    once, as the sweep's batches do) and then locked its chain waited for each other: a deadlock
    (``test_two_writers_that_each_reference_the_directive_then_append_do_not_deadlock``).

    Two statements on purpose: the head must be read *after* the lock is granted. In one statement
    (a join or a lateral subquery beside the lock) PostgreSQL re-checks only the locked row after
    waiting and keeps the head it read before, which a writer that committed meanwhile has replaced.
    Used by ``append_entry`` on SQLite. On PostgreSQL ``append_entry`` sends the same lock with its insert
    (``_append_sql``), and ``append_entries`` locks all of a batch's chains at once."""
    directive_table = Directive._meta.db_table
    entry_table = TimelineEntry._meta.db_table
    exists = f"SELECT id FROM {directive_table} WHERE id = %s"  # noqa: S608
    head_sql = f"SELECT seq, hash FROM {entry_table} WHERE directive_id = %s ORDER BY seq DESC LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Both statements in one round trip (the driver binds parameters client-side): each still runs
            # with its own snapshot, the head's taken after the lock is granted.
            cursor.execute(f"{exists} FOR NO KEY UPDATE; {head_sql}", [directive_id, directive_id])
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


def append_entries(per_directive: Mapping[int, Iterable[dict[str, Any]]], *, now: dt.datetime) -> int:
    """Append many entries to many chains in a constant number of statements (the escalation sweep): lock
    the chains (in id order, so that two writers cannot deadlock; ``FOR NO KEY UPDATE``, see
    ``lock_chain``), read their heads, chain and hash the entries in memory, insert them. Call inside a
    transaction, as late as possible: the chains stay locked until it commits. Each item holds the
    attributes of ``TimelineEntry`` (``actor_id``, ``task_id``...) except the chain's, with JSON-native
    ``data`` (it is its own canonical form) and aware instants. Returns how many were written."""
    require_aware(now, field="now")
    directive_ids = sorted(per_directive)
    if not directive_ids:
        return 0
    list(
        Directive.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__any=directive_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    heads = _chain_heads(directive_ids)

    def rows() -> Iterator[dict[str, Any]]:  # chained and hashed as they are sent
        for directive_id in directive_ids:
            seq, prev = heads.get(directive_id, (0, GENESIS))
            for item in per_directive[directive_id]:
                row = {
                    **_ENTRY_DEFAULTS,
                    **item,
                    "directive_id": directive_id,
                    "seq": seq + 1,
                    "prev_hash": prev,
                }
                row["kind"] = str(row["kind"])
                row["hash"] = compute_hash(SimpleNamespace(**row))
                seq, prev = seq + 1, row["hash"]
                yield row

    return insert_rows(TimelineEntry, rows())


_ENTRY_DEFAULTS: dict[str, Any] = {
    "actor_id": None,
    "actor_label": SYSTEM,
    "obligation_id": None,
    "task_id": None,
    "product_id": None,
    "supersedes_id": None,
    "data": {},
}


def _chain_heads(directive_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Each chain's head (seq, hash), read after the chains are locked: one backward step on the
    (directive, seq) index per directive."""
    if connection.vendor == "postgresql":
        entries = connection.ops.quote_name(TimelineEntry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT h.directive_id, h.seq, h.hash FROM unnest(%s::bigint[]) AS d(id) "  # noqa: S608 (the table's own name)
                f"CROSS JOIN LATERAL (SELECT directive_id, seq, hash FROM {entries} "
                "WHERE directive_id = d.id ORDER BY seq DESC LIMIT 1) h",
                [directive_ids],
            )
            return {d: (seq, h) for d, seq, h in cursor.fetchall()}
    head_id = TimelineEntry.objects.filter(directive_id=OuterRef("pk")).order_by("-seq").values("pk")[:1]
    head_ids = Directive.objects.filter(pk__any=directive_ids).annotate(head=Subquery(head_id)).values("head")
    return {
        d: (seq, h)
        for d, seq, h in TimelineEntry.objects.filter(pk__in=head_ids).values_list(
            "directive_id", "seq", "hash"
        )
    }


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


def _iter_entries(directive_id: int) -> Iterator[Any]:
    """The chain's rows in order, as light records with the model's attribute names: the row's id, what
    the hash covers (``HASHED`` and ``CHAIN``) and the stored hash. Records, not model instances: building
    instances was a quarter of the largest directive's check."""
    names = tuple(dict.fromkeys(("pk", *(f.attname for f in (*HASHED, *CHAIN)), "hash")))
    record = namedtuple("record", names)  # type: ignore[misc]
    rows = (
        TimelineEntry.objects.filter(directive_id=directive_id)
        .order_by("seq")
        .values_list(*names)
        .iterator(chunk_size=2000)
    )
    return (record._make(row) for row in rows)


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
