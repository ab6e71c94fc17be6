"""Set-based writes for the jobs that write thousands of rows at once (the escalation sweep, the benchmark
data generator): insert with COPY, update with one ``UPDATE ... FROM`` a list of rows.

Django's ``bulk_create`` on PostgreSQL builds model instances and quotes every value client-side, and
``bulk_update`` writes a ``CASE`` per column and row (slow at scale, Django ticket #31202). On SQLite (the
embedded mode, a few rows at a time) the ORM's own bulk methods and a ``VALUES`` list do the same job.
Callers pass plain values: str, int, bool, aware datetimes, JSON-native dicts and lists.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from django.db import connection, models


def insert_rows(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Insert ``rows`` (attribute name -> value; the model's defaults fill the rest) in one statement;
    the number inserted. ``rows`` may be a generator: on PostgreSQL each row is sent as it is built, so the
    server inserts the first rows while the later ones are still being made."""
    if connection.vendor != "postgresql":
        return len(model.objects.bulk_create([model(**row) for row in rows]))
    return copy_rows(model, rows)


def insert_rows_with_ids(model: Any, count: int, rows: Iterable[dict[str, Any]]) -> list[int]:
    """As ``insert_rows`` for ``count`` rows, and their ids in order: on PostgreSQL taken from the table's
    sequence first, in one statement."""
    if connection.vendor != "postgresql":
        return [obj.pk for obj in model.objects.bulk_create([model(**row) for row in rows])]  # RETURNING
    if not count:
        return []
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    copy_rows(model, rows, ids)
    return ids


def copy_rows(model: Any, rows: Iterable[dict[str, Any]], ids: Sequence[int] | None = None) -> int:
    """COPY ``rows`` into the model's table (with ``ids`` as their primary keys, if given); PostgreSQL only.
    psycopg hands the rows to the server in 32 kB pieces as they come."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    qn = connection.ops.quote_name
    columns = ([meta.pk.column] if ids is not None else []) + [f.column for f in fields]
    pick = operator.itemgetter(*[f.attname for f in fields])
    json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    # orjson: this text is only parsed into jsonb (the timeline's hash input is its own canonical JSON).
    dumps = orjson.dumps
    written = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN") as copy,
    ):
        write = copy.write_row
        for row in rows:
            values = list(pick({**defaults, **row}))
            for i in json_columns:
                values[i] = dumps(values[i]).decode()
            if ids is not None:
                values.insert(0, ids[written])
            write(values)
            written += 1
        if ids is not None and written != len(ids):  # before the COPY ends: nothing is written
            raise ValueError(f"{len(ids)} ids taken for {written} {meta.verbose_name_plural}")
    return written


def update_rows(
    model: Any,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    assignments: Mapping[str, str],
) -> int:
    """One ``UPDATE`` of ``model``'s table ``t`` from ``rows`` ``v``: each row is ``(pk, *values)`` for the
    ``columns`` (name, PostgreSQL array type), matched on ``t.id = v.id``; ``assignments`` maps a column of
    ``t`` to an SQL expression over ``v.<name>`` and ``t.<column>``. On PostgreSQL the values travel as one
    array per column (nothing for the driver to parse per row); elsewhere as a ``VALUES`` list. Returns the
    number of rows updated."""
    if not rows:
        return 0
    qn = connection.ops.quote_name
    names = ["id", *(name for name, _ in columns)]
    setters = ", ".join(f"{qn(column)} = {expression}" for column, expression in assignments.items())
    table = qn(model._meta.db_table)
    if connection.vendor == "postgresql":
        types = ["bigint", *(kind for _, kind in columns)]
        source = f"unnest({', '.join(f'%s::{kind}[]' for kind in types)}) AS v({', '.join(names)})"
        params: list[Any] = [list(column) for column in zip(*rows, strict=True)]
        sql = f"UPDATE {table} AS t SET {setters} FROM {source} WHERE t.id = v.id"  # noqa: S608
    else:
        adapt = _adapter()
        placeholders = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(rows))
        params = [adapt(value) for row in rows for value in row]
        sql = (
            f"WITH v({', '.join(names)}) AS (VALUES {placeholders}) "  # noqa: S608 (names and placeholders)
            f"UPDATE {table} AS t SET {setters} FROM v WHERE t.id = v.id"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _adapter() -> Any:
    adapt_datetime = connection.ops.adapt_datetimefield_value

    def adapt(value: Any) -> Any:
        return adapt_datetime(value) if isinstance(value, dt.datetime) else value

    return adapt
