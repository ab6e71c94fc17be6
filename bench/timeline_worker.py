"""Appends timeline entries with ``services.timeline.append_entry`` in a loop (one transaction each, as a
service call makes), in a fresh process; prints one JSON line.

    DATABASE_URL=... python bench/timeline_worker.py setup --directives 8
    DATABASE_URL=... python bench/timeline_worker.py append --directive 3 --directive 4 --seconds 10
    DATABASE_URL=... python bench/timeline_worker.py sweep --directive 3 --tasks 5000
    DATABASE_URL=... python bench/timeline_worker.py floor --directive 3 --seconds 10

``floor``: the floor under one writer. The statements ``append_entry`` sends on PostgreSQL, with one
entry's parameters prepared once by the product, sent in a loop by plain psycopg (no Django, no
validation, no payload built per entry): what a round trip, the server's work and the commit cost alone.

``sweep``: the product's batched writer of one chain. ``--tasks`` P0 tasks of one directive come due at
once; one escalation sweep (``escalation.sweep.sweep``) chains their entries onto that directive's
timeline in batches (one chain lock per batch): entries appended to the one chain per second of sweep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")


def setup(count: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from directives.choices import DirectiveKind, Role
    from directives.models import Authority
    from directives.services.directives import create_authority, log_directive

    now = dt.datetime.now(dt.UTC)
    user, _ = get_user_model().objects.get_or_create(username="bench-timeline-legal")
    user.groups.add(Group.objects.get_or_create(name=Role.LEGAL.value)[0])
    authority = Authority.objects.filter(name="Bench timeline authority").first() or create_authority(
        name="Bench timeline authority", jurisdiction="Bench", time_zone="America/New_York", actor=user
    )
    stamp = int(time.time() * 1000)
    ids = [
        log_directive(
            authority=authority,
            reference=f"TL-{stamp}-{i}",
            title=f"Timeline benchmark {i}",
            kind=DirectiveKind.OTHER,
            received_at=now - dt.timedelta(minutes=5),
            actor=user,
            now=now,
        ).pk
        for i in range(count)
    ]
    return {"directives": ids, "user": user.pk}


def append(directive_ids: list[int], *, seconds: float, limit: int | None) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bench.cpu import CpuMeter
    from directives.choices import EntryKind
    from directives.models import Directive
    from directives.services.timeline import append_entry

    user = get_user_model().objects.get(username="bench-timeline-legal")
    directives = list(Directive.objects.filter(pk__in=directive_ids))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        meter = CpuMeter(cursor.fetchone()[0])
    count = 0
    meter.start()
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline and (limit is None or count < limit):
        directive = directives[count % len(directives)]
        now = dt.datetime.now(dt.UTC)
        append_entry(
            directive=directive,
            kind=EntryKind.COMMENT,
            occurred_at=now,
            actor=user,
            now=now,
            summary=f"Benchmark note {count}: called the regulator's office, left a message.",
            data={"n": count, "channel": "phone"},
        )
        count += 1
    elapsed = time.perf_counter() - started
    cpu = meter.stop()
    return {
        "entries": count,
        "seconds": round(elapsed, 3),
        "per_second": round(count / elapsed, 1),
        **cpu,
        "per_cpu_second": round(count / cpu["cpu_s"], 1) if cpu["cpu_s"] else None,
        "pid": os.getpid(),
    }


def floor(directive_id: int, *, seconds: float) -> dict[str, Any]:
    import psycopg
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bench.cpu import CpuMeter
    from directives.choices import EntryKind
    from directives.models import TimelineEntry
    from directives.services.timeline import _append_params, _append_sql

    user = get_user_model().objects.get(username="bench-timeline-legal")
    now = dt.datetime.now(dt.UTC)
    entry = TimelineEntry(
        directive_id=directive_id,
        kind=EntryKind.COMMENT,
        occurred_at=now,
        recorded_at=now,
        actor=user,
        actor_label=user.get_username(),
        summary="Benchmark note: called the regulator's office, left a message.",
        data={"channel": "phone", "n": 0},
    )
    sql, fields = _append_sql()  # the product's own statements and parameters (see _append_postgresql)
    params = _append_params(entry, fields, connection)
    settings = connection.settings_dict
    conn = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
        cursor_factory=psycopg.ClientCursor,  # as Django's: parameters bound client-side, one query
    )
    cursor = conn.cursor()
    meter = CpuMeter(conn.info.backend_pid)
    count = 0
    meter.start()
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        cursor.execute(sql, params)
        cursor.nextset()
        cursor.fetchone()
        count += 1
    elapsed = time.perf_counter() - started
    cpu = meter.stop()
    conn.close()
    return {
        "entries": count,
        "seconds": round(elapsed, 3),
        "per_second": round(count / elapsed, 1),
        **cpu,
        "pid": os.getpid(),
    }


def sweep_one_chain(directive_id: int, tasks: int) -> dict[str, Any]:
    from django.db import connection

    from bench.cpu import CpuMeter
    from directives.choices import Priority
    from directives.escalation.sweep import sweep
    from directives.models import RemediationTask, TimelineEntry

    now = dt.datetime.now(dt.UTC)
    due = now - dt.timedelta(minutes=1)  # level 1 of the P0 ladder comes due at the due instant
    RemediationTask.objects.bulk_create(
        [
            RemediationTask(
                directive_id=directive_id,
                title=f"Bench chain task {i}",
                priority=Priority.P0,
                due_at=due,
                next_escalation_at=due,
            )
            for i in range(tasks)
        ],
        batch_size=2000,
    )
    before = TimelineEntry.objects.filter(directive_id=directive_id).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        meter = CpuMeter(cursor.fetchone()[0])
    meter.start()
    started = time.perf_counter()
    result = sweep(now=now)
    elapsed = time.perf_counter() - started
    cpu = meter.stop()
    written = TimelineEntry.objects.filter(directive_id=directive_id).count() - before
    return {
        "tasks": tasks,
        "escalations": result.escalations,
        "batches": result.batches,
        "entries": written,
        "seconds": round(elapsed, 3),
        "per_second": round(written / elapsed, 1),
        **cpu,
        "pid": os.getpid(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--directives", type=int, default=1)
    a = sub.add_parser("append")
    a.add_argument("--directive", type=int, action="append", required=True)
    a.add_argument("--seconds", type=float, default=10.0)
    a.add_argument("--limit", type=int, default=None)
    a.add_argument(
        "--start-at", type=float, default=None, help="time.time() to start at (lines processes up)"
    )
    f = sub.add_parser("floor")
    f.add_argument("--directive", type=int, required=True)
    f.add_argument("--seconds", type=float, default=10.0)
    w = sub.add_parser("sweep")
    w.add_argument("--directive", type=int, required=True)
    w.add_argument("--tasks", type=int, default=5000)
    args = parser.parse_args()

    import django

    django.setup()
    if args.cmd == "setup":
        print(json.dumps(setup(args.directives)))
        return
    if args.cmd == "floor":
        print(json.dumps(floor(args.directive, seconds=args.seconds)))
        return
    if args.cmd == "sweep":
        print(json.dumps(sweep_one_chain(args.directive, args.tasks)))
        return
    from django.db import connection

    connection.ensure_connection()
    if args.start_at:
        time.sleep(max(0.0, args.start_at - time.time()))
    print(json.dumps(append(args.directive, seconds=args.seconds, limit=args.limit)))


if __name__ == "__main__":
    main()
