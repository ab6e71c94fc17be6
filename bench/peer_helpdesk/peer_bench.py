"""Runs inside bench/.venv-helpdesk (django-helpdesk from PyPI): make tickets, then time escalate_tickets.

    python peer_bench.py data --tickets 100000 --eligible 10000
    python peer_bench.py escalate          # prints one JSON line: wall, queries, escalated, peak RSS

Tickets: ``eligible`` open tickets created before the queue's escalation window (what escalate_tickets
escalates), the rest open but recent (inside the window) or closed, spread over queues whose
``escalate_days`` is 2; assignees and submitters have addresses, so every escalation renders its emails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))  # the repository: bench.cpu
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_helpdesk.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from helpdesk.models import Queue, Ticket  # noqa: E402

QUEUES = 10
ESCALATE_DAYS = 2


def make_data(tickets: int, eligible: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    user_model = get_user_model()
    staff = [
        user_model.objects.create_user(f"agent{i:03d}", f"agent{i:03d}@bench.example", "x", is_staff=True)
        for i in range(50)
    ]
    queues = [
        Queue.objects.create(
            title=f"Queue {i}",
            slug=f"queue-{i}",
            email_address=f"queue{i}@bench.example",
            escalate_days=ESCALATE_DAYS,
            updated_ticket_cc=f"queue{i}-watchers@bench.example",
        )
        for i in range(QUEUES)
    ]
    window = dt.timedelta(days=ESCALATE_DAYS + 1)
    started = time.perf_counter()
    rows = []
    for i in range(tickets):
        queue = rng.choice(queues)
        if i < eligible:  # open, older than the window, never escalated, priority above 1
            status, created, priority = (
                Ticket.OPEN_STATUS,
                now - window - dt.timedelta(hours=rng.uniform(1, 500)),
                rng.randint(2, 5),
            )
        elif rng.random() < 0.6:  # open but inside the window
            status, created, priority = (
                Ticket.OPEN_STATUS,
                now - dt.timedelta(hours=rng.uniform(0, 24)),
                rng.randint(1, 5),
            )
        else:  # closed long ago
            status, created, priority = (
                Ticket.CLOSED_STATUS,
                now - dt.timedelta(days=rng.uniform(10, 400)),
                rng.randint(1, 5),
            )
        rows.append(
            (
                f"Ticket {i}: something is wrong",
                created,
                created,
                f"customer{i % 5000}@bench.example",
                status,
                False,
                "Generated for the peer benchmark.",
                "",
                priority,
                None,
                None,
                rng.choice(staff).pk,
                queue.pk,
                str(uuid.uuid4()),
            )
        )
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY helpdesk_ticket (title, created, modified, submitter_email, status, on_hold, description, "
            "resolution, priority, due_date, last_escalation, assigned_to_id, queue_id, secret_key) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "tickets": tickets,
        "eligible": eligible,
        "queues": QUEUES,
        "seconds": round(time.perf_counter() - started, 1),
    }


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def escalate(queues: list[str]) -> dict[str, Any]:
    before = Ticket.objects.filter(last_escalation__isnull=False).count()
    from bench.cpu import CpuMeter

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        meter = CpuMeter(cursor.fetchone()[0])
    counter = QueryCounter()
    meter.start()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        call_command("escalate_tickets", *(["--queues", *queues] if queues else []))
        wall = time.perf_counter() - started
    cpu = meter.stop()
    escalated = Ticket.objects.filter(last_escalation__isnull=False).count() - before
    return {
        "wall_s": round(wall, 3),
        "queries": counter.count,
        "escalated": escalated,
        "ms_per_escalated": round(wall * 1000 / escalated, 3) if escalated else None,
        **cpu,
        "cpu_ms_per_escalated": round(cpu["cpu_s"] * 1000 / escalated, 3) if escalated else None,
        "queries_per_escalated": round(counter.count / escalated, 2) if escalated else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "django": django.get_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    data = sub.add_parser("data")
    data.add_argument("--tickets", type=int, default=100_000)
    data.add_argument("--eligible", type=int, default=10_000)
    data.add_argument("--seed", type=int, default=7)
    esc = sub.add_parser("escalate")
    esc.add_argument("--queues", nargs="*", default=[])
    args = parser.parse_args()
    if args.cmd == "data":
        print(json.dumps(make_data(args.tickets, args.eligible, args.seed)))
    else:
        print(json.dumps(escalate(args.queues)))


if __name__ == "__main__":
    main()
