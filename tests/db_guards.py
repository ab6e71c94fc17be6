"""Lifting the timeline's database guards, as only the database's superuser could, for two purposes:
the flush between transactional tests (Django's teardown empties every table: DELETE on SQLite, TRUNCATE
on PostgreSQL, which the guards refuse), and tests that tamper with the record to prove it is detected.

PostgreSQL: ``session_replication_role = replica`` (superuser only) silences every ordinary trigger, the
statement-level TRUNCATE trigger included. When the suite runs under the runtime role (``SET ROLE``, see
tests/db_roles.py), the session's superuser is restored for the duration first.
SQLite: the guard triggers are dropped and created again from migration 0013's own statements.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection

_GUARDS = importlib.import_module("directives.migrations.0013_timeline_head_and_guards")
SQLITE_GUARDS: dict[str, str] = _GUARDS.SQLITE_GUARDS  # the head trigger stays: it guards nothing


@contextmanager
def guards_lifted(connection: Any = None) -> Iterator[None]:
    """Inside: the timeline's entries and heads can be updated, deleted and truncated."""
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, session_user")
            current, session = cursor.fetchone()
            if current != session:
                cursor.execute("RESET ROLE")
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = origin")
                if current != session:
                    cursor.execute(f"SET ROLE {connection.ops.quote_name(current)}")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for name in SQLITE_GUARDS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for sql in SQLITE_GUARDS.values():
                    cursor.execute(sql)
    else:
        yield


@contextmanager
def as_role(role: str | None) -> Iterator[None]:
    """Act as ``role`` (``None``: the session's own user, the superuser) on PostgreSQL, then return to the
    role the test had (the runtime role when the suite runs under it). Elsewhere: nothing to do."""
    connection = default_connection
    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, session_user")
        previous, session = cursor.fetchone()
        cursor.execute("RESET ROLE")
        if role is not None:
            cursor.execute(f"SET ROLE {quote(role)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            if previous != session:
                cursor.execute(f"SET ROLE {quote(previous)}")


def as_owner() -> Any:
    """As the tables' owner: the suite's owner role when it runs under the runtime role (tests/db_roles.py),
    else the session's superuser. The triggers fire for both."""
    from .db_roles import owner_role

    return as_role(owner_role())


def tamper(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    """Run ``sql`` against the record as a database superuser would, past the guards."""
    with guards_lifted(), default_connection.cursor() as cursor:
        cursor.execute(sql, params)
