"""Timestamps read from PostgreSQL by psycopg's C loader, not by Django's pure-Python one.

Django (5.2, psycopg 3) registers its own ``timestamptz`` loader on every connection, a subclass of
psycopg's *Python* ``TimestamptzLoader`` that sets the result's tzinfo to the connection's zone. psycopg
swaps in its compiled loader only for its own classes, and that one cannot be subclassed, so every
timestamp Django reads is parsed by a regular expression in Python: a few microseconds each, about 230
per page of the task list API, 20,000 per escalation sweep (Django ticket #36960, psycopg's tracker #1273).

``TzLoader`` keeps Django's contract (a ``timezone`` attribute, which Django compares before every
cursor; the same tzinfo on every value) and parses with the compiled loader, which psycopg hands back
when its own class is registered. Without psycopg's C extension this changes nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.db.backends.signals import connection_created
from psycopg import abc, adapt
from psycopg.postgres import types
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader


@functools.cache
def compiled_loader() -> type[abc.Loader] | None:
    """psycopg's compiled ``timestamptz`` text loader, or None without the C extension."""
    oid = types["timestamptz"].oid
    probe = adapt.AdaptersMap(types=types)
    probe.register_loader(oid, TimestamptzLoader)  # psycopg substitutes its compiled class, if it has one
    loader = probe.get_loader(oid, Format.TEXT)
    return None if loader is TimestamptzLoader else loader


class TzLoader(adapt.Loader):
    timezone: dt.tzinfo | None = None  # set on the subclass registered per connection, as Django does

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        self._load = (compiled_loader() or TimestamptzLoader)(oid, context).load

    def load(self, data: Any) -> dt.datetime:
        value: dt.datetime = self._load(data)
        # As Django's loader: the tzinfo is the connection's zone (which Django sets to match it).
        return value if value.tzinfo is self.timezone else value.replace(tzinfo=self.timezone)


def _register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "postgresql" or compiled_loader() is None:
        return
    loader = type("ConnectionTzLoader", (TzLoader,), {"timezone": connection.timezone})
    connection.connection.adapters.register_loader("timestamptz", loader)


def install() -> None:
    """Called once, from the project app's ``ready``."""
    connection_created.connect(_register, dispatch_uid="docket-compiled-timestamptz-loader")
