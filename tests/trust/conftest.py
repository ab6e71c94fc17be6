from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .services import PrivatePostgres, PrivateRedis, need_binary


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """Argon2 is deliberately slow; these tests create many users. The production hasher is asserted in
    test_settings.py, in a process started with the production environment."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL cluster of the test's own (skipped without the binaries, failed under CI)."""
    for binary in ("initdb", "pg_ctl", "createdb"):
        need_binary(binary)
    pg = PrivatePostgres()
    pg.init()
    try:
        yield pg
    finally:
        pg.destroy()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A redis-server of the test's own on a free port (skipped without the binary, failed under CI)."""
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
