"""Fault tolerance on the real servers (`make test-services`):

- PostgreSQL restarted under a running gunicorn: the app recovers by itself (CONN_HEALTH_CHECKS), on a
  PRIVATE PostgreSQL instance started for the test, so nobody else's database blinks;
- Redis down: pages and writes keep working, notifications wait in the outbox and go out once it is back,
  on a PRIVATE redis-server (never the shared one on 6379);
- concurrent edits of one task: one wins, the other gets a clear StaleVersion, nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.core import mail
from django.db import connection
from django.urls import reverse

from directives.choices import EntryKind, Priority, Role, TaskStatus
from directives.errors import StaleVersion
from directives.escalation.sweep import sweep
from directives.models import Notification, NotificationStatus, RemediationTask, TimelineEntry
from directives.services.notifications import relay
from directives.services.tasks import change_task_status
from directives.services.timeline import append_entry, verify_chain

from ..factories import UserFactory, make_directive, make_product, make_task
from .services import ROOT, SETUP_USER, app_env, free_port, logged_in_session, manage

DUE = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)  # Friday 22:00 ET

pytestmark = pytest.mark.services


@pytest.mark.slow
def test_postgres_restart_under_load_the_app_recovers_by_itself(private_postgres, tmp_path) -> None:
    env = app_env(private_postgres, tmp_path)
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "shell", "-c", SETUP_USER)
    port = free_port()
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2", GUNICORN_TIMEOUT="30")
    access = (tmp_path / "access.log").open("w+")
    server = subprocess.Popen(  # noqa: S603 - our own server with fixed arguments
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "compliance/gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=access,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        session = logged_in_session(base, server)
        page = f"{base}/directives/"

        def burst(n: int) -> list[int]:
            codes = []
            for _ in range(n):
                try:
                    codes.append(session.get(page, timeout=20, allow_redirects=False).status_code)
                except requests.RequestException:
                    codes.append(0)
            return codes

        # Warm: both workers hold a persistent connection (DB_CONN_MAX_AGE=600).
        assert burst(12) == [200] * 12

        # 1. A quick restart while idle: every worker's kept connection is now dead. With
        #    CONN_HEALTH_CHECKS each request notices, reconnects and succeeds: not a single error.
        private_postgres.restart()
        assert burst(12) == [200] * 12

        # 2. An outage while requests run: they fail fast (503 with Retry-After, no hang), then the app comes
        #    back alone.
        private_postgres.stop()
        during = burst(6)
        assert during == [503] * 6, during
        assert session.get(page, timeout=20, allow_redirects=False).headers["Retry-After"] == "5"
        health = requests.get(f"{base}/healthz", timeout=20)  # the load balancer's view: out of rotation
        assert health.status_code == 503 and health.json()["status"] == "down"
        assert health.json()["checks"]["database"]["ok"] is False
        private_postgres.start()
        deadline = time.monotonic() + 30
        while burst(1) != [200]:
            assert time.monotonic() < deadline, "the app did not recover within 30 s"
            time.sleep(0.2)
        assert burst(12) == [200] * 12
        health = requests.get(f"{base}/healthz", timeout=20)
        assert health.status_code == 200 and health.json()["checks"]["database"]["ok"] is True
        # Writes too: logging in again writes a session row.
        again = logged_in_session(base, server)
        assert again.get(page, timeout=20).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    access.seek(0)
    lines = [json.loads(line) for line in access.read().splitlines() if line.startswith("{")]
    pids = {line["pid"] for line in lines}
    # No worker was restarted to recover: the same two processes served before and after.
    assert len(pids) <= 2, pids
    assert server.returncode in (0, -15)


@pytest.fixture
def celery_on(private_redis, monkeypatch) -> Iterator[Any]:
    """Point the project's Celery app at the private Redis for this test, and back afterwards."""
    from compliance.celery import app as celery_app

    app: Any = celery_app  # private attributes below: the pools cached for the old broker URL
    saved = (app.conf.broker_url, app.conf.broker_transport_options)

    def reset_pools() -> None:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    # Celery reads CELERY_BROKER_URL from the environment before its own setting (make test-services
    # sets it to the shared Redis): both must point at the private one.
    monkeypatch.setenv("CELERY_BROKER_URL", private_redis.url)
    app.conf.broker_url = private_redis.url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    try:
        yield app
    finally:
        reset_pools()
        app.conf.broker_url, app.conf.broker_transport_options = saved


def _drain_and_run(app: Any) -> list[int]:
    """Act as a worker: take every message off the private Redis and run its task here."""
    from directives.tasks import deliver_notification

    ids = []
    # The queue the task is routed to (settings.CELERY_TASK_ROUTES), as a worker would consume it.
    route = app.amqp.router.route({}, "directives.tasks.deliver_notification", args=(0,), kwargs={})
    name = route["queue"].name
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue(name)
        try:
            while True:
                try:
                    message = queue.get(timeout=1)
                except queue.Empty:
                    break
                assert message.headers["task"] == "directives.tasks.deliver_notification"
                args = message.decode()[0]
                deliver_notification.apply(args=args)
                ids.append(int(args[0]))
                message.ack()
        finally:
            queue.close()
    return ids


def test_redis_down_pages_and_writes_work_and_notifications_wait_in_the_outbox(
    celery_on, private_redis, client, db, settings
) -> None:
    from directives.tasks import deliver_notification

    legal = UserFactory(username="legal-test", role=Role.LEGAL, email="legal@docket.example")
    eng = UserFactory(username="eng-test", role=Role.ENGINEERING, email="eng@docket.example")
    UserFactory(username="eng2-test", role=Role.ENGINEERING, email="eng2@docket.example")
    directive = make_directive(actor=legal)
    task = make_task(directive, actor=legal, priority=Priority.P0, assignee=eng, due_at=DUE)

    settings.CELERY_BROKER_URL = private_redis.url  # what /healthz probes
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    assert client.get(reverse("healthz")).json()["checks"]["broker"]["ok"] is True

    private_redis.stop()  # ------------------------------------------------------- Redis is down

    health = client.get(reverse("healthz"))
    assert health.status_code == 200  # degraded, not down: pages keep working without the broker
    assert health.json()["checks"]["broker"]["ok"] is False and health.json()["status"] == "degraded"

    client.force_login(legal)
    for url in (
        reverse("directive_list"),
        reverse("directive_detail", args=[directive.pk]),
        reverse("task_detail", args=[task.pk]),
        reverse("dashboard"),
        reverse("timeline"),
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        reverse("task_comment", args=[task.pk]), {"text": "Working on it while Redis is down"}
    )
    assert response.status_code in (200, 302)
    assert TimelineEntry.objects.filter(
        task=task, kind=EntryKind.COMMENT, summary="Working on it while Redis is down"
    ).exists()

    sweep(now=DUE)  # the escalation writes its notifications to the outbox, in PostgreSQL
    waiting = list(Notification.objects.values_list("pk", flat=True))
    assert waiting, "the overdue P0 task should have produced notifications"
    with pytest.raises(Exception):  # noqa: B017 - kombu's OperationalError: broker unreachable
        relay(now=DUE + dt.timedelta(seconds=5), publish=lambda pk: deliver_notification.delay(pk))
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.PENDING}
    assert not Notification.objects.filter(
        dispatched_at__isnull=False
    ).exists()  # released for the next relay
    assert mail.outbox == []

    private_redis.start()  # ------------------------------------------------------- Redis is back (empty)
    assert client.get(reverse("healthz")).json()["checks"]["broker"]["ok"] is True

    published = relay(now=DUE + dt.timedelta(seconds=35), publish=lambda pk: deliver_notification.delay(pk))
    assert published == len(waiting)
    delivered = _drain_and_run(celery_on)
    assert sorted(delivered) == sorted(waiting)
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    emails = Notification.objects.filter(channel="email").count()
    assert len(mail.outbox) == emails > 0
    assert verify_chain(directive.pk).ok


# --- concurrent edits -----------------------------------------------------------------------------


def _in_thread(target: Any, *args: Any) -> threading.Thread:
    def run() -> None:
        try:
            target(*args)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_task_version_one_wins_the_other_is_told(now) -> None:
    legal = UserFactory(username="legal-race", role=Role.LEGAL)
    eng = UserFactory(username="eng-race", role=Role.ENGINEERING)
    directive = make_directive(actor=legal)
    task = make_task(directive, actor=legal, assignee=eng)
    entries_before = TimelineEntry.objects.filter(directive=directive).count()
    barrier = threading.Barrier(2)
    outcome: dict[str, Any] = {}

    def edit(name: str, actor: Any, target: TaskStatus) -> None:
        mine = RemediationTask.objects.get(pk=task.pk)  # both opened the task at version 1
        barrier.wait(timeout=20)
        try:
            change_task_status(
                task=mine,
                to_status=target,
                actor=actor,
                now=now,
                expected_version=1,
                note=f"{name} says {target.label}",
            )
            outcome[name] = "saved"
        except StaleVersion as exc:
            outcome[name] = exc

    threads = [
        _in_thread(edit, "legal", legal, TaskStatus.IN_PROGRESS),
        _in_thread(edit, "engineer", eng, TaskStatus.BLOCKED),
    ]
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(type(v).__name__ for v in outcome.values()) == ["StaleVersion", "str"], outcome
    winner = next(name for name, v in outcome.items() if v == "saved")
    loser = next(name for name, v in outcome.items() if isinstance(v, StaleVersion))
    error = outcome[loser]
    winner_user = {"legal": legal, "engineer": eng}[winner]
    assert str(error) == (
        f"This remediation task was changed by {winner_user.username} since you opened it "
        "(your version 1, now 2). Review the current state and try again."
    )
    assert error.status_code == 409

    task.refresh_from_db()
    assert task.version == 2
    assert task.status == (TaskStatus.IN_PROGRESS if winner == "legal" else TaskStatus.BLOCKED)
    updates = TimelineEntry.objects.filter(task=task, kind=EntryKind.TASK_UPDATED)
    assert updates.count() == 1 and f"{winner} says" in updates.get().summary  # the loser wrote nothing
    assert TimelineEntry.objects.filter(directive=directive).count() == entries_before + 1

    # Nothing lost: the loser reviews the current state and saves their change on top.
    loser_user = {"legal": legal, "engineer": eng}[loser]
    target = TaskStatus.BLOCKED if task.status == TaskStatus.IN_PROGRESS else TaskStatus.IN_PROGRESS
    change_task_status(task=task, to_status=target, actor=loser_user, now=now, expected_version=2)
    task.refresh_from_db()
    assert task.version == 3 and task.status == target
    assert TimelineEntry.objects.filter(task=task, kind=EntryKind.TASK_UPDATED).count() == 2
    assert verify_chain(directive.pk).ok


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_writers_that_each_reference_the_directive_then_append_do_not_deadlock(now) -> None:
    """What each batch of the sweep does: with foreign keys checked statement by statement, insert rows that
    reference the directive (the check takes a KEY SHARE lock on the directive's row), then lock its chain
    and append. Two such transactions at once (two sweeps, found with two sweep processes at a million
    tasks) deadlocked while the chain lock was FOR UPDATE, which waits for KEY SHARE locks; FOR NO KEY
    UPDATE does not, and still lets one appender at a time through."""
    from django.db import transaction

    from directives.models import DirectiveProduct

    assert connection.vendor == "postgresql"
    legal = UserFactory(username="legal-race3", role=Role.LEGAL)
    directive = make_directive(actor=legal)
    products = [make_product(f"Race product {i}") for i in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def link_then_append(i: int) -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as the sweep's batches do
                DirectiveProduct.objects.create(
                    directive=directive, product=products[i], required_action="Block foreign nationals"
                )
                barrier.wait(timeout=20)  # both now hold a KEY SHARE lock on the directive
                append_entry(
                    directive=directive,
                    kind=EntryKind.COMMENT,
                    occurred_at=now,
                    actor=None,
                    now=now,
                    summary=f"linked product {i}",
                )
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    threads = [_in_thread(link_then_append, i) for i in range(2)]
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert DirectiveProduct.objects.filter(directive=directive).count() == 2
    summaries = set(TimelineEntry.objects.filter(directive=directive).values_list("summary", flat=True))
    assert {"linked product 0", "linked product 1"} <= summaries
    assert verify_chain(directive.pk).ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_one_chain_are_serialised_none_lost(now) -> None:
    legal = UserFactory(username="legal-race2", role=Role.LEGAL)
    directive = make_directive(actor=legal)
    barrier = threading.Barrier(4)

    def append_many(writer: int) -> None:
        barrier.wait(timeout=20)
        for i in range(10):
            append_entry(
                directive=directive,
                kind=EntryKind.COMMENT,
                occurred_at=now,
                actor=None,
                now=now,
                summary=f"writer {writer} note {i}",
            )

    threads = [_in_thread(append_many, w) for w in range(4)]
    for thread in threads:
        thread.join(timeout=120)
    entries = list(TimelineEntry.objects.filter(directive=directive).order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, 42))
    assert {e.summary for e in entries[1:]} == {f"writer {w} note {i}" for w in range(4) for i in range(10)}
    assert verify_chain(directive.pk).ok
