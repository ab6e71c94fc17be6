"""Least privilege on PostgreSQL: migrations run as an owner role, the app and its workers as a runtime role
that owns nothing and may only read and append to the legal record.

A table's owner can ``ALTER TABLE ... DISABLE TRIGGER`` without being a superuser, and only privileges
stop a TRUNCATE by someone who holds them, so the append-only triggers protect the record against the
application only when the application's role does not own the timeline and holds no UPDATE, DELETE or
TRUNCATE on it. ``grant_statements`` gives the runtime role exactly that; ``runtime_role_problems`` is what
``check --deploy`` reports about the role the application connects as (compliance/checks.py).
"""

from __future__ import annotations

from typing import Any

from django.db import connection as default_connection

from directives.models import TimelineEntry, TimelineHead

ENTRIES = TimelineEntry._meta.db_table
HEADS = TimelineHead._meta.db_table
# What the runtime role may do with each table of the record; every other table: read and write.
RECORD_PRIVILEGES = {ENTRIES: "SELECT, INSERT", HEADS: "SELECT"}
# The triggers that must be present and enabled (migrations 0002 and 0013).
GUARD_TRIGGERS = {
    ENTRIES: (
        "docket_timeline_no_update",
        "docket_timeline_no_delete",
        "docket_timeline_no_truncate",
        "docket_timeline_head",
    ),
    HEADS: ("docket_timeline_head_guard", "docket_timeline_head_no_truncate"),
}


def _q(connection: Any, name: str) -> str:
    return str(connection.ops.quote_name(name))


def create_role_statements(*, owner: str, runtime: str, connection: Any = None) -> list[str]:
    """Create both roles (run once, as a superuser or a role with CREATEROLE); set their passwords after."""
    connection = connection or default_connection
    return [
        f"CREATE ROLE {_q(connection, owner)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
        f"CREATE ROLE {_q(connection, runtime)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT",
    ]


def grant_statements(*, runtime: str, owner: str, connection: Any = None) -> list[str]:
    """The runtime role's privileges on the current database, run as the owner (or a superuser) after every
    ``migrate``: everything it needs on every table, only SELECT and INSERT on the timeline, only SELECT on
    the heads (the database's trigger writes them as their owner), and the same defaults for the tables
    later migrations create."""
    connection = connection or default_connection
    q = lambda name: _q(connection, name)  # noqa: E731
    database = connection.settings_dict["NAME"]
    rt, ow = q(runtime), q(owner)
    statements = [
        f"GRANT CONNECT, TEMPORARY ON DATABASE {q(database)} TO {rt}",
        f"GRANT USAGE ON SCHEMA public TO {rt}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {rt}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {rt}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {ow} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {rt}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {ow} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {rt}",
    ]
    for table, privileges in RECORD_PRIVILEGES.items():
        statements += [f"REVOKE ALL ON {q(table)} FROM {rt}", f"GRANT {privileges} ON {q(table)} TO {rt}"]
    return statements


_ROLE_SQL = """
SELECT current_user, r.rolsuper,
       pg_has_role(current_user, c.relowner, 'MEMBER'), pg_get_userbyid(c.relowner),
       has_any_column_privilege(c.oid, 'UPDATE'), has_table_privilege(c.oid, 'DELETE'),
       has_table_privilege(c.oid, 'TRUNCATE'),
       ARRAY(SELECT t.tgname::text FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgenabled <> 'D')
FROM pg_class c JOIN pg_roles r ON r.rolname = current_user
WHERE c.oid = to_regclass(%s)
"""


def runtime_role_problems(connection: Any = None) -> list[str]:
    """What is wrong with the connected role as the application's runtime role (empty: nothing)."""
    connection = connection or default_connection
    problems = []
    with connection.cursor() as cursor:
        for table, triggers in GUARD_TRIGGERS.items():
            cursor.execute(_ROLE_SQL, [table])
            row = cursor.fetchone()
            if row is None:
                problems.append(f"table {table} does not exist: run migrate (as the owner role) first")
                continue
            role, superuser, owns, owner, update, delete, truncate, enabled = row
            if superuser:
                problems.append(f"the database role {role} is a superuser: it can disable every trigger")
                break
            if owns:
                problems.append(
                    f"the database role {role} owns {table} (owner {owner}), or may act as its owner: it can "
                    "disable the append-only triggers"
                )
            refused = [
                name
                for name, allowed in (("UPDATE", update), ("DELETE", delete), ("TRUNCATE", truncate))
                if allowed
            ]
            if refused:
                problems.append(f"the database role {role} may {', '.join(refused)} {table}")
            missing = sorted(set(triggers) - set(enabled))
            if missing:
                problems.append(f"trigger(s) {', '.join(missing)} on {table} are missing or disabled")
    return problems
