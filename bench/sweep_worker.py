"""One escalation sweep in a fresh process, as a Celery worker would run it: wall time, queries, peak RSS.

    DATABASE_URL=postgres://.../db python bench/sweep_worker.py --now 2026-11-29T15:00:00+00:00

Prints one JSON object: the due sweep, then a second sweep at the same instant (nothing left due).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


class QueryCounter:
    """Counts statements through ``connection.execute_wrapper`` without keeping their text (keeping
    it, as CaptureQueriesContext does, would inflate the RSS being measured)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.kinds: dict[str, int] = {}
        self.slowest: list[tuple[float, str]] = []  # the 6 slowest, their text cut to 300 characters

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            self.seconds += took
            if len(self.slowest) < 6 or took > self.slowest[-1][0]:
                self.slowest = sorted([*self.slowest, (took, sql[:300])], reverse=True)[:6]
            self.count += 1
            word = sql.lstrip().split(" ", 1)[0].upper()
            self.kinds[word] = self.kinds.get(word, 0) + 1


def _timed_sweep(now: dt.datetime, batch_size: int | None) -> dict[str, Any]:
    from django.db import connection

    from bench.cpu import CpuMeter
    from directives.escalation.sweep import sweep

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    counter = QueryCounter()
    meter = CpuMeter(backend).start()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = sweep(now=now, batch_size=batch_size)
        wall = time.perf_counter() - started
    cpu = meter.stop()
    return {
        "wall_s": round(wall, 4),
        **cpu,
        "queries": counter.count,
        "queries_by_kind": counter.kinds,
        "db_time_s": round(counter.seconds, 4),
        "slowest": [{"s": round(t, 4), "sql": q} for t, q in counter.slowest],
        "result": result.as_dict(),
        "rss_mb_after": round(_rss_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--now", required=True)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--profile", default=None, help="write cProfile stats of the due sweep to this file")
    args = parser.parse_args()
    now = dt.datetime.fromisoformat(args.now)

    import django

    django.setup()
    from django.db import connection

    connection.ensure_connection()
    baseline = _rss_mb()
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        due = profiler.runcall(_timed_sweep, now, args.batch_size)
        profiler.dump_stats(args.profile)
    else:
        due = _timed_sweep(now, args.batch_size)
    nothing = _timed_sweep(now, args.batch_size)
    # And a few more idle sweeps: the 50 ms target is about the steady state of an idle minute.
    idle = [_timed_sweep(now, args.batch_size)["wall_s"] for _ in range(5)]
    print(
        json.dumps(
            {
                "rss_mb_after_setup": round(baseline, 1),
                "due_sweep": due,
                "nothing_due_sweep": nothing,
                "nothing_due_repeats_s": idle,
                "peak_rss_mb": round(_rss_mb(), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
