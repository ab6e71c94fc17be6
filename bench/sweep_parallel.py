"""Several sweeps at once on the same due rows: what a second worker process adds (issue 7, the sweep).

    python bench/sweep_parallel.py --tasks 1000000 --due 10000 --workers 1,2

For each worker count, on a fresh clone of the generated template (``bench_data``; made when missing), that
many processes set Django up with production settings, wait for one another, and call the sweep at the same
instant; ``FOR UPDATE SKIP LOCKED`` shares the due rows out between them. Reports the wall time from the
first start to the last end, each process's share, how many batches were retried after a deadlock, and
checks that every due task was escalated exactly once. The single-process figures with the lower bound are
``bench/sweep.py``'s; this one answers whether the sweep scales out on the same machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    DEFAULT_NOW,
    child_figures,
    clone,
    drop_database,
    ensure_template,
    log,
    machine,
    production_env,
    psql,
    save,
    template_name,
)
from bench.sweep import _warm


def _one(barrier: Any, now: str, out: Any) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    import django

    django.setup()
    from django.db import connection

    from directives.escalation.sweep import sweep

    connection.ensure_connection()
    barrier.wait()
    started = time.time()
    result = sweep(now=dt.datetime.fromisoformat(now)).as_dict()
    out.put({"start": started, "end": time.time(), **result})


def measure(workers: int, now: str) -> dict[str, Any]:
    """In this process's environment (one clone): ``workers`` sweeps started together."""
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    processes = [ctx.Process(target=_one, args=(barrier, now, out)) for _ in range(workers)]
    for p in processes:
        p.start()
    shares = [out.get(timeout=600) for _ in processes]
    for p in processes:
        p.join()
    return {
        "workers": workers,
        "wall_s": round(max(s["end"] for s in shares) - min(s["start"] for s in shares), 3),
        "escalations": sum(s["escalations"] for s in shares),
        "retried_batches": sum(s["retried_batches"] for s in shares),
        "shares": [
            {
                "wall_s": round(s["end"] - s["start"], 3),
                "escalations": s["escalations"],
                "batches": s["batches"],
            }
            for s in shares
        ],
    }


def run(*, tasks: int, due: int, workers: tuple[int, ...] = (1, 2), now: str = DEFAULT_NOW) -> dict[str, Any]:
    generated = ensure_template(tasks, due, now=now)
    at = (dt.datetime.fromisoformat(generated["now"]) + dt.timedelta(seconds=90)).isoformat()
    template = template_name(tasks, due)
    runs = []
    for n in workers:
        db = clone(template, f"{template}_parallel")
        try:
            _warm(db, at)
            log(f"{n} sweep process(es) at once on {db} at {at}")
            figures = child_figures(__file__, ["--workers", str(n), "--at", at], production_env(db))
            # Every due task escalated exactly once (the escalation rows' unique constraint backs it).
            counts = psql(
                "SELECT count(*), count(DISTINCT task_id) FROM directives_escalation WHERE fired_at = "  # noqa: S608 (our own ISO instant)
                f"'{at}'::timestamptz",
                db=db,
            )
            figures["escalation_rows"], figures["distinct_tasks"] = (int(x) for x in counts.split("|"))
            runs.append(figures)
        finally:
            drop_database(db)
    result = {
        "benchmark": "sweep_parallel",
        "args": {"tasks": tasks, "due": due},
        "sweep_at": at,
        "runs": runs,
    }
    result["machine"] = machine()
    save(f"sweep-parallel-{tasks}-{due}", result)
    return result


def summary(result: dict[str, Any]) -> str:
    return "sweep, processes at once: " + "; ".join(
        f"{r['workers']}: {r['wall_s']} s for {r['escalations']} ({r['retried_batches']} batches retried, "
        f"{r['escalation_rows']} rows for {r['distinct_tasks']} tasks)"
        for r in result["runs"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2", help="comma-separated process counts, one run each")
    parser.add_argument("--at", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(int(args.workers), args.at)))
        return
    counts = tuple(int(n) for n in args.workers.split(","))
    result = run(tasks=args.tasks, due=args.due, workers=counts)
    log(summary(result))
    print(summary(result))


if __name__ == "__main__":
    main()
