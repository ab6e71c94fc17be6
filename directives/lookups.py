"""``field__any=ids``: membership in a list of integer keys as one array parameter.

``field__in=ids`` writes one placeholder per value: Django resolves and prepares every value, psycopg
splits the long statement on every call (it caches only short ones), and PostgreSQL parses and plans
a thousand-term ``IN`` list. The escalation sweep asks this of every batch (a thousand tasks, their
directives, their assignees); ``= ANY(%s)`` sends the keys as one array, and the statement is the same
text whatever their number. On SQLite, the same test over ``json_each`` of one JSON parameter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        if isinstance(self.rhs, str | bytes) or not isinstance(self.rhs, Iterable):
            raise TypeError(f"__any takes a list of integer keys, not {type(self.rhs).__name__}")
        return [int(value) for value in self.rhs]  # a non-integer key fails here, before any SQL

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(self.rhs)]  # noqa: S608


def register() -> None:
    """On integer columns (ids included) and foreign keys; called once, from the app's ``ready``."""
    for field in (models.IntegerField, models.ForeignKey):
        field.register_lookup(AnyOf)
