"""The PostgreSQL suite under the runtime role (``DOCKET_TEST_DB_ROLES=1``, set by ``make test-services``).

Two roles of the test database's own (``<test db>_owner``, ``<test db>_app``): the test database is created
by the connecting superuser, the migrations run as the owner (``SET ROLE``), the runtime role is then
granted exactly what ``manage.py db_roles`` grants in production, and every test runs as it. Only
tests/db_guards.py returns to the session's superuser, for the flush between transactional tests and for
tests that tamper with the record on purpose.
"""

from __future__ import annotations

import os
from typing import Any

from django.db import connection
from django.db.backends.signals import connection_created

from compliance.db_roles import grant_statements

_STATE: dict[str, str] = {}


def enabled() -> bool:
    return bool(os.environ.get("DOCKET_TEST_DB_ROLES")) and connection.vendor == "postgresql"


def owner_role() -> str | None:
    """The owner role the suite migrated as, when it runs under the runtime role."""
    return _STATE.get("owner")


def role_names(database: str) -> tuple[str, str]:
    return f"{database[:50]}_owner", f"{database[:50]}_app"


def _assume_role(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Each new connection to the test database takes the current role (the owner while migrating)."""
    role = _STATE.get("role")
    if not role or connection.settings_dict["NAME"] != _STATE["database"]:
        return
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if role == _STATE["owner"]:
            cursor.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {q(role)}")
        cursor.execute(f"SET ROLE {q(role)}")


def prepare() -> None:
    """Before the test database is created: the two roles exist, and migrations will run as the owner."""
    database = connection.creation._get_test_db_name()  # type: ignore[attr-defined]
    owner, runtime = role_names(database)
    with connection._nodb_cursor() as cursor:
        for role in (owner, runtime):
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE ROLE {connection.ops.quote_name(role)} NOLOGIN")
    _STATE.update(database=database, owner=owner, runtime=runtime, role=owner)
    connection_created.connect(_assume_role, weak=False, dispatch_uid="docket-test-db-roles")


def switch_to_runtime() -> None:
    """After the migrations: grant the runtime role its privileges, then become it."""
    owner, runtime = _STATE["owner"], _STATE["runtime"]
    with connection.cursor() as cursor:
        for sql in grant_statements(runtime=runtime, owner=owner, connection=connection):
            cursor.execute(sql)
        _STATE["role"] = runtime
        cursor.execute(f"SET ROLE {connection.ops.quote_name(runtime)}")
