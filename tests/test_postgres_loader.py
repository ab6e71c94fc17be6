"""PostgreSQL timestamps parsed by psycopg's compiled loader (compliance/postgres.py), with Django's result."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader  # type: ignore[import-untyped]
from psycopg.postgres import types
from psycopg.pq import Format

from compliance.postgres import TzLoader, compiled_loader

pytestmark = [pytest.mark.services, pytest.mark.django_db]

TIMESTAMPTZ = types["timestamptz"].oid
TEXTS = [
    "2026-11-27 22:21:00+00",
    "2026-11-27 22:21:00.000001+00",
    "2026-03-08 07:30:00+00",  # the New York spring-forward hour, in UTC
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "2026-11-27 17:21:00-05",  # another offset: Django's loader replaces the tzinfo, so must this one
]


def _read(texts: list[str]) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT value::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS v(value, n) ORDER BY n",
            [texts],
        )
        return [value for (value,) in cursor.fetchall()]


def test_the_connection_reads_timestamps_with_the_compiled_loader() -> None:
    assert compiled_loader() is not None  # psycopg-binary is in requirements.txt
    with connection.cursor():
        loader = connection.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    assert issubclass(loader, TzLoader)
    assert loader.timezone is connection.timezone is dt.UTC  # Django's check before every cursor


def test_it_reads_what_djangos_own_loader_reads() -> None:
    ours = _read(TEXTS)
    with connection.cursor() as cursor:
        django_loader = type("Django", (BaseTzLoader,), {"timezone": connection.timezone})
        cursor.adapters.register_loader("timestamptz", django_loader)
        cursor.execute(
            "SELECT value::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS v(value, n) ORDER BY n",
            [TEXTS],
        )
        theirs = [value for (value,) in cursor.fetchall()]
    assert ours == theirs
    assert [v.tzinfo for v in ours] == [dt.UTC] * len(TEXTS)
    assert ours[0] == dt.datetime(2026, 11, 27, 22, 21, tzinfo=dt.UTC)
    assert ours[-1] == dt.datetime(2026, 11, 27, 22, 21, tzinfo=dt.UTC)  # 17:21 at -05 is 22:21 UTC


def test_a_timestamp_python_cannot_hold_is_a_clear_error_as_before() -> None:
    from django.db import DataError

    with pytest.raises(DataError, match="infinity"):
        _read(["infinity"])
