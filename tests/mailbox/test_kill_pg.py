# ruff: noqa: S603  (the test starts celery from the virtualenv)
"""Fault test: 50 messages in a real IMAP server (a private Dovecot), a real Celery worker and beat polling
it, the worker killed with SIGKILL twice mid-poll, each time after a message's intake item was committed
and before the message was flagged seen; restarted, it polls to completion. Exactly 50 intake items, none
twice, and every message seen.

Runs with `make test-services` (PostgreSQL from DATABASE_URL): the worker and the test share the database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from directives.models import IntakeItem
from tests.documents.samples import eml_bytes

from .dovecot import Dovecot

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 50


def message(number: int) -> bytes:
    data = eml_bytes(f"Order {number:02d}: block the export", f"Order number {number}.")
    return data.replace(
        b"Subject:", f"Message-ID: <order-{number:02d}@bis.example.gov>\nSubject:".encode(), 1
    )


def wait_for(check: Callable[[], bool], *, timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


def database_url() -> str:
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST'] or '127.0.0.1'}"
        f":{s['PORT'] or 5432}/{s['NAME']}"
    )


class Worker:
    """A Celery worker (two processes) and beat polling the mailbox every second."""

    def __init__(self, tmp: Path, dovecot: Dovecot) -> None:
        self.env = {
            **os.environ,
            "DOCKET_IGNORE_DOTENV": "1",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": "filesystem://",
            "DOCKET_VAR_DIR": str(tmp / "var"),
            "DOCKET_MEDIA_ROOT": str(tmp / "media"),
            "DOCKET_DASHBOARD_REFRESH_SECONDS": "0",
            "DOCKET_INTAKE_IMAP_INTERVAL_SECONDS": "1",
            "LOG_FORMAT": "plain",
            "PYTHONUNBUFFERED": "1",
            **{name: str(value) for name, value in dovecot.settings().items()},
        }
        self.log = open(tmp / "worker.log", "ab")  # noqa: SIM115 (closed in stop)
        self.tmp = tmp
        self.worker: subprocess.Popen[bytes] | None = None
        self.beat: subprocess.Popen[bytes] | None = None

    def _start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(BIN / "celery"), "-A", "tests.mailbox.slow_worker", *args],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_worker(self) -> None:
        self.worker = self._start(
            "worker",
            "-l",
            "info",
            "-c",
            "2",
            "-P",
            "prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"mailbox{time.time_ns()}@%h",
        )

    def start_beat(self) -> None:
        self.beat = self._start("beat", "-l", "info", "-s", str(self.tmp / "beat-schedule"))

    def kill_worker(self) -> None:
        assert self.worker is not None
        os.killpg(self.worker.pid, signal.SIGKILL)  # the worker and its pool processes, mid-poll
        self.worker.wait(timeout=30)
        self.worker = None

    def stop(self) -> None:
        for process in (self.worker, self.beat):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        self.log.close()


def test_worker_killed_twice_mid_poll_queues_each_message_exactly_once(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    dovecot.deliver(*[message(n) for n in range(MESSAGES)])
    assert dovecot.unseen() == MESSAGES
    worker = Worker(tmp_path, dovecot)
    caught_in_window: list[tuple[int, int]] = []
    try:
        worker.start_worker()
        worker.start_beat()
        for kill_after in (5, 25):
            # Kill once at least ``kill_after`` rows are committed and a committed message is not yet seen.
            def in_window(at_least: int = kill_after) -> bool:
                queued = IntakeItem.objects.count()
                return at_least <= queued < MESSAGES and queued > MESSAGES - dovecot.unseen()

            assert wait_for(in_window, timeout=120), _log(tmp_path)
            worker.kill_worker()
            queued, seen = IntakeItem.objects.count(), MESSAGES - dovecot.unseen()
            caught_in_window.append((queued, seen))
            assert seen < queued < MESSAGES  # killed after a commit, before that message's flag
            worker.start_worker()

        assert wait_for(lambda: dovecot.unseen() == 0, timeout=180, step=0.2), _log(tmp_path)
    finally:
        worker.stop()

    ids = list(IntakeItem.objects.values_list("message_id", flat=True))
    assert len(ids) == MESSAGES
    assert sorted(ids) == [f"<order-{n:02d}@bis.example.gov>" for n in range(MESSAGES)]
    assert sorted(IntakeItem.objects.values_list("subject", flat=True)) == [
        f"Order {n:02d}: block the export" for n in range(MESSAGES)
    ]
    assert dovecot.total() == MESSAGES
    assert len(caught_in_window) == 2


def _log(tmp: Path) -> Any:
    path = tmp / "worker.log"
    return path.read_text(errors="replace")[-4000:] if path.exists() else "no worker log"
