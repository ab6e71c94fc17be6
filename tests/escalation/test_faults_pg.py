# ruff: noqa: S603, S607  (the test starts redis-server, celery and ps from known paths)
"""Fault test: a real Celery worker and beat on PostgreSQL + Redis, a local webhook receiver counting
idempotency keys, and the worker killed with SIGKILL during sweeps and during deliveries, the whole worker
killed and restarted, and Redis stopped and started again (our own redis-server on a free port, never the
shared one). Afterwards every due escalation exists exactly once and every notification key was delivered
(more than once only when a kill fell between sending and recording the send).

Runs with `make test-services` (PostgreSQL database from DATABASE_URL, redis-server on PATH).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from directives.choices import DeadlineRule, Priority
from directives.escalation.reschedule import reschedule
from directives.models import (
    Escalation,
    EscalationPolicy,
    EscalationStep,
    Notification,
    NotificationStatus,
    Obligation,
    RemediationTask,
    SweepRun,
    WebhookEndpoint,
)
from directives.services.timeline import verify_chain
from tests.factories import make_directive, make_obligation, make_task

from ..db_guards import as_role
from .receiver import Receiver

S = dt.timedelta(seconds=1)
LADDER = [(0, -4 * S), (1, 0 * S), (2, 4 * S), (3, 8 * S)]  # seconds, so that the test sees every level
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CountingReceiver(Receiver):
    """Counts requests in flight, so that the test can kill the worker while it awaits an answer."""

    def __init__(self) -> None:
        super().__init__(delay=0.15)
        self.in_flight = 0

    def start(self) -> CountingReceiver:
        super().start()
        assert self.server is not None
        handler = self.server.RequestHandlerClass
        original = handler.do_POST  # type: ignore[attr-defined]
        receiver = self

        def do_post(handler_self: Any) -> None:
            with receiver.lock:
                receiver.in_flight += 1
            try:
                original(handler_self)
            finally:
                with receiver.lock:
                    receiver.in_flight -= 1

        handler.do_POST = do_post  # type: ignore[attr-defined]
        return self


class Processes:
    def __init__(self, tmp: Path, env: dict[str, str], redis_port: int) -> None:
        self.tmp, self.env, self.redis_port = tmp, env, redis_port
        self.redis: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.beat: subprocess.Popen[bytes] | None = None
        self.log = open(tmp / "processes.log", "ab")  # noqa: SIM115 (closed in stop_all)

    def start_redis(self) -> None:
        redis_server = shutil.which("redis-server")
        assert redis_server, "redis-server is needed for the fault test"
        self.redis = subprocess.Popen(
            [
                redis_server,
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop_redis(self) -> None:
        """As an operator would: SHUTDOWN NOSAVE, every queued message lost."""
        subprocess.run(
            [shutil.which("redis-cli") or "redis-cli", "-p", str(self.redis_port), "shutdown", "nosave"],
            check=False,
            capture_output=True,
            timeout=10,
        )
        if self.redis is not None:
            self.redis.wait(10)

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "compliance",
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
                f"fault{time.time_ns()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_beat(self) -> None:
        self.beat = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "compliance",
                "beat",
                "-l",
                "info",
                "-s",
                str(self.tmp / "beat-schedule"),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def worker_children(self) -> list[int]:
        assert self.worker is not None
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.worker.pid)], capture_output=True, text=True
        )
        return [int(p) for p in out.stdout.split()]

    def kill_children(self) -> int:
        """kill -9 the pool processes running tasks; the worker replaces them and requeues their tasks."""
        children = self.worker_children()
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return len(children)

    def kill_worker(self) -> None:
        """kill -9 the whole worker (main process and pool): its unacknowledged messages are in limbo."""
        if self.worker is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait(10)

    def stop_all(self) -> None:
        for proc in (self.beat, self.worker):
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        if self.redis is not None and self.redis.poll() is None:
            self.redis.kill()
            self.redis.wait(10)
        self.log.close()


def wait_for(condition: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def wait_while_progressing(
    settled: Callable[[], bool], work_done: Callable[[], int], stalled_after: float, limit: float
) -> bool:
    """Wait until ``settled()``. Give up when ``work_done()`` (a count that only grows) has not moved for
    ``stalled_after`` seconds, the system is stuck (a lost message nobody re-drives), or after ``limit`` in all.
    On a slow or shared machine a thousand deliveries take minutes; a stall is what the test is about."""
    start = last_progress = time.monotonic()
    seen = work_done()
    while not settled():
        now = time.monotonic()
        if now - last_progress > stalled_after or now - start > limit:
            return False
        time.sleep(0.5)
        work = work_done()
        if work != seen:
            seen, last_progress = work, time.monotonic()
    return True


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_kill_workers_and_redis_nothing_lost_nothing_doubled(people: dict[str, Any], tmp_path: Path) -> None:
    assert connection.vendor == "postgresql"
    receiver = CountingReceiver().start()
    hook = WebhookEndpoint.objects.create(name="fault-receiver", url=receiver.url, secret="fault-secret")

    # A ladder in seconds for P1 tasks, and obligations missed a few seconds in: every notification is a
    # webhook to the receiver, so that the receiver sees every key.
    policy = EscalationPolicy.objects.get(applies_to="task", priority="P1")
    policy.steps.all().delete()
    for level, offset in LADDER:
        EscalationStep.objects.create(policy=policy, level=level, name=f"Fault level {level}", offset=offset)
    obligation_policy = EscalationPolicy.objects.get(applies_to="obligation")
    obligation_policy.steps.all().delete()
    EscalationStep.objects.create(policy=obligation_policy, level=0, name="Fault reminder", offset=-3 * S)
    EscalationStep.objects.create(policy=obligation_policy, level=1, name="Fault missed", offset=0 * S)
    for step in EscalationStep.objects.filter(policy__in=[policy, obligation_policy]):
        step.notify_webhooks.add(hook)
    Group.objects.get_or_create(name="engineering")

    start = timezone.now()
    directives = [
        make_directive(
            actor=people["legal"], reference=f"FAULT-{i}", received_at=start - dt.timedelta(hours=1)
        )
        for i in range(6)
    ]
    tasks = [  # due instants set below, once the data exists, so that the ladder in seconds is ahead
        make_task(
            d,
            actor=people["legal"],
            priority=Priority.P1,
            assignee=people["eng"],
            title=f"fault {i}",
            now=start,
        )
        for i in range(40)
        for d in directives
    ]
    overdue = [  # already past every level when the worker starts: catch-up
        make_task(
            d,
            actor=people["legal"],
            priority=Priority.P1,
            due_at=start - dt.timedelta(minutes=5),
            title="overdue",
            now=start,
        )
        for d in directives
    ]
    obligations = [
        make_obligation(
            d,
            actor=people["legal"],
            rule=DeadlineRule.BY_INSTANT,
            amount=None,
            deadline_at=start + dt.timedelta(days=1),
            now=start,
        )
        for d in directives
    ]
    redis_port = free_port()
    settings_dict = connection.settings_dict
    database_url = (
        f"postgres://{settings_dict['USER']}:{settings_dict.get('PASSWORD') or ''}@{settings_dict['HOST'] or '127.0.0.1'}"
        f":{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "15",
        "DOCKET_VAR_DIR": str(tmp_path / "var"),
        "DOCKET_SWEEP_INTERVAL_SECONDS": "1",
        "DOCKET_RELAY_INTERVAL_SECONDS": "1",
        "DOCKET_SWEEP_BATCH_SIZE": "2",  # many small transactions: a kill lands inside a sweep
        "DOCKET_NOTIFICATION_LEASE_SECONDS": "3",
        "DOCKET_NOTIFICATION_REDISPATCH_SECONDS": "4",
        "DOCKET_NOTIFICATION_BACKOFF_SECONDS": "0.5",
        "DOCKET_NOTIFICATION_BACKOFF_MAX_SECONDS": "2",
        "DOCKET_NOTIFICATION_MAX_ATTEMPTS": "50",
        "DOCKET_WEBHOOK_TIMEOUT_SECONDS": "3",
        "LOG_FORMAT": "plain",
        "PYTHONUNBUFFERED": "1",
    }
    procs = Processes(tmp_path, env, redis_port)
    kills: dict[str, int] = {"sweep": 0, "delivery": 0, "worker": 0, "redis": 0}
    try:
        procs.start_redis()
        procs.start_worker()
        procs.start_beat()
        # The worker and beat are up when a sweep has completed (the overdue tasks caught up).
        assert wait_for(lambda: SweepRun.objects.exists(), timeout=120, step=0.2), "no sweep ran"

        # Test set-up only (no timeline entry): every task due at t0, the obligations 2 s later, so that
        # each level of the ladder in seconds comes due while the worker runs.
        t0 = timezone.now() + dt.timedelta(seconds=6)
        RemediationTask.objects.filter(pk__in=[t.pk for t in tasks]).update(due_at=t0)
        Obligation.objects.filter(pk__in=[o.pk for o in obligations]).update(due_at=t0 + 2 * S)
        reschedule(now=timezone.now())

        def due_rows() -> int:
            return RemediationTask.objects.filter(
                status__in=["open", "in_progress", "blocked"],
                next_escalation_at__isnull=False,
                next_escalation_at__lte=timezone.now(),
            ).count()

        def in_sweep_transaction() -> bool:
            """A worker's database session is inside a transaction while tasks are due: a sweep batch.
            Asked as the session's own user: the workers connect as it, and another role (the suite may run
            as the runtime role) is not shown their transactions."""
            with as_role(None), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
                    "AND xact_start IS NOT NULL"
                )
                busy = cursor.fetchone()[0] > 0
            return busy and due_rows() > 0

        quota = {"sweep": 3, "delivery": 3, "worker": 1, "redis": 1}
        last_kill = 0.0
        redis_stopped_at: float | None = None
        give_up = t0 + 120 * S
        while timezone.now() < give_up and (redis_stopped_at or any(kills[k] < n for k, n in quota.items())):
            now_mono = time.monotonic()
            cooled = now_mono - last_kill > 0.5
            if redis_stopped_at and now_mono - redis_stopped_at > 3:
                procs.start_redis()
                redis_stopped_at = None
            elif redis_stopped_at:
                pass
            elif cooled and kills["sweep"] < quota["sweep"] and in_sweep_transaction():
                procs.kill_children()
                kills["sweep"] += 1
                last_kill = now_mono
            elif cooled and kills["delivery"] < quota["delivery"] and receiver.in_flight:
                procs.kill_children()
                kills["delivery"] += 1
                last_kill = now_mono
            elif kills["redis"] == 0 and timezone.now() > t0 + 1 * S:
                procs.stop_redis()  # queued deliveries and sweeps are lost with it
                kills["redis"] += 1
                redis_stopped_at = now_mono
            elif kills["worker"] == 0 and timezone.now() > t0 + 6 * S:
                procs.kill_worker()
                kills["worker"] += 1
                time.sleep(1)
                procs.start_worker()
            time.sleep(0.01)
        if redis_stopped_at:
            procs.start_redis()

        every_task = [*tasks, *overdue]

        def settled() -> bool:
            finished = RemediationTask.objects.filter(
                pk__in=[t.pk for t in every_task], escalation_level=3, next_escalation_at__isnull=True
            ).count()
            missed = Obligation.objects.filter(status="missed").count()
            undelivered = Notification.objects.exclude(status=NotificationStatus.SENT).count()
            return finished == len(every_task) and missed == len(obligations) and undelivered == 0

        def work_done() -> int:
            """Escalations made and notifications sent: it grows while the system gets anywhere (retries of a
            delivery that keeps failing are not progress)."""
            sent = Notification.objects.filter(status=NotificationStatus.SENT).count()
            return Escalation.objects.count() + sent

        assert wait_while_progressing(settled, work_done, stalled_after=120, limit=900), (
            "did not settle: "
            + str(
                list(
                    Notification.objects.exclude(status="sent").values_list(
                        "status", "attempts", "last_error"
                    )[:5]
                )
            )
        )
        time.sleep(1)  # a last duplicate in flight, if any, reaches the receiver
    finally:
        procs.stop_all()
        receiver.stop()

    # Every due escalation exists exactly once (the partial unique constraints make more impossible).
    for task in every_task:
        assert sorted(Escalation.objects.filter(task=task).values_list("level", "repeat")) == [
            (0, 0),
            (1, 0),
            (2, 0),
            (3, 0),
        ]
    for obligation in obligations:
        assert sorted(Escalation.objects.filter(obligation=obligation).values_list("level", flat=True)) == [
            0,
            1,
        ]

    # Only notified escalations have a notification; catch-up notified the highest level only.
    notified = Escalation.objects.filter(notified=True)
    assert Notification.objects.count() == notified.count()
    for task in overdue:
        assert list(Escalation.objects.filter(task=task, notified=True).values_list("level", flat=True)) == [
            3
        ]

    # Every key was delivered at least once; more than once only for a kill between send and record.
    counts = receiver.counts()
    keys = set(Notification.objects.values_list("idempotency_key", flat=True))
    assert keys <= set(counts), f"never delivered: {sorted(keys - set(counts))[:5]}"
    assert set(counts) <= keys
    duplicates = {k: n for k, n in counts.items() if n > 1}
    kill_events = kills["sweep"] + kills["delivery"] + kills["worker"]
    assert sum(n - 1 for n in duplicates.values()) <= 2 * kill_events, duplicates  # 2 pool processes per kill
    for directive in directives:
        assert verify_chain(directive.pk).ok

    # The faults did happen, several times.
    assert kills == {"sweep": 3, "delivery": 3, "worker": 1, "redis": 1}, kills
    print(
        f"\nfault test: {len(every_task)} tasks, {len(obligations)} obligations, {Escalation.objects.count()} "
        f"escalations, {len(keys)} notification keys, {sum(counts.values())} deliveries, "
        f"{len(duplicates)} key(s) delivered twice; kills: {kills}"
    )
