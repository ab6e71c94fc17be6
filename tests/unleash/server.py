# ruff: noqa: S607  (the tests start the pinned Unleash from tests/unleash with the system's node)
"""The real Unleash server for the connector tests: ``unleash-server`` 7.5.1 from tests/unleash's lockfile
(``npm ci`` there when node_modules is missing), on a free port, against a PostgreSQL database of its own that
is created here and dropped afterwards, so two test runs at once never share a server or a database.

When node, npm or PostgreSQL is missing, or the server does not come up, the tests that need it are skipped
with the reason; with CI=true they fail instead. The PostgreSQL server is ``UNLEASH_TEST_PG_URL`` (default
postgres://postgres@127.0.0.1:5432/postgres); the database name is ``UNLEASH_TEST_DATABASE`` or a fresh one."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

HERE = Path(__file__).resolve().parent
PROJECT = "default"
ENVIRONMENT = "development"


def unavailable(reason: str) -> None:
    """Skip, or fail under CI: the Unleash server is part of the suite there, not optional."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"the test Unleash server is needed under CI=true: {reason}")
    pytest.skip(f"test Unleash server unavailable: {reason}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Unleash:
    """A running Unleash; ``stop()`` and ``start()`` take it down and bring it back on the same port and data."""

    port: int
    database_url: str
    folder: Path
    admin_token: str = field(default_factory=lambda: "*:*." + secrets.token_hex(16))
    client_token: str = field(default_factory=lambda: f"{PROJECT}:{ENVIRONMENT}." + secrets.token_hex(16))
    frontend_token: str = field(default_factory=lambda: f"{PROJECT}:{ENVIRONMENT}." + secrets.token_hex(16))
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self) -> dict[str, Any]:
        return {
            "UNLEASH_URL": self.url,
            "UNLEASH_ADMIN_TOKEN": self.admin_token,
            "UNLEASH_FRONTEND_TOKEN": self.frontend_token,
            "UNLEASH_TIMEOUT_SECONDS": 5.0,
            "UNLEASH_PROPAGATION_SECONDS": 10.0,
        }

    def start(self) -> None:
        env = {
            **os.environ,
            "UNLEASH_DATABASE_URL": self.database_url,
            "UNLEASH_PORT": str(self.port),
            "UNLEASH_ADMIN_TOKEN": self.admin_token,
            "UNLEASH_CLIENT_TOKEN": self.client_token,
            "UNLEASH_FRONTEND_TOKEN": self.frontend_token,
        }
        log = (self.folder / "unleash.log").open("ab")
        self.process = subprocess.Popen(
            ["node", "server.mjs"], cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self._wait_until_healthy()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process = None

    def log(self) -> str:
        path = self.folder / "unleash.log"
        return path.read_text(encoding="utf-8", errors="replace")[-1500:] if path.exists() else ""

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + 180  # the first start migrates an empty database
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                unavailable("it exited: " + self.log())
            try:
                if requests.get(f"{self.url}/health", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        unavailable("it did not answer /health within 180 s: " + self.log())

    # -- the admin API, as a person in Unleash's own UI would use it ---------------------------------

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = requests.request(
            method, self.url + path, json=body, headers={"Authorization": self.admin_token}, timeout=10
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def events(self, flag: str) -> list[dict[str, Any]]:
        """The flag's change history (newest first), as Unleash's event log records it."""
        events: list[dict[str, Any]] = self.admin("GET", f"/api/admin/events/{flag}")["events"]
        return events

    def environment(self, flag: str) -> dict[str, Any]:
        feature = self.admin("GET", f"/api/admin/projects/{PROJECT}/features/{flag}")
        return next(e for e in feature["environments"] if e["name"] == ENVIRONMENT)


def _npm_ci() -> None:
    if not shutil.which("node") or not shutil.which("npm"):
        unavailable("node and npm are needed (apt-get install nodejs npm)")
    if (HERE / "node_modules" / "unleash-server" / "package.json").exists():
        return
    with (HERE / ".npm-ci.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs at once install once
        if (HERE / "node_modules" / "unleash-server" / "package.json").exists():
            return
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    if done.returncode != 0:
        unavailable("npm ci in tests/unleash failed: " + done.stderr[-800:])


def _admin_url() -> str:
    return os.environ.get("UNLEASH_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(), autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement.encode())  # a fixed statement with a checked, generated name


@contextlib.contextmanager
def _database() -> Iterator[str]:
    """A fresh PostgreSQL database for this run's Unleash; dropped afterwards."""
    name = os.environ.get("UNLEASH_TEST_DATABASE") or f"docket_unleash_{os.getpid()}_{secrets.token_hex(3)}"
    if not name.replace("_", "").isalnum():
        raise ValueError("UNLEASH_TEST_DATABASE must be letters, digits and underscores")
    try:
        _sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # psycopg's errors, or psycopg missing
        unavailable(f"PostgreSQL at {_admin_url()} refused a database for Unleash: {exc}")
    parts = urlsplit(_admin_url())
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    finally:
        with contextlib.suppress(Exception):
            _sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def running_unleash(folder: Path) -> Iterator[Unleash]:
    _npm_ci()
    with _database() as database_url:
        server = Unleash(port=free_port(), database_url=database_url, folder=folder)
        try:
            server.start()
            yield server
        finally:
            server.stop()
