"""Timeline benchmark: entries appended per second through ``services.timeline.append_entry``.

    python bench/timeline.py --seconds 10 --processes 4

1. One chain: one process appending to one directive; then its floor on the same chain: the statements
   ``append_entry`` sends on PostgreSQL, sent in a loop by plain psycopg (``timeline_worker.py floor``).
2. Many chains: ``--processes`` processes, each appending to its own directive.
3. One chain, many writers: the same processes all appending to one directive (the chain's row lock
   serialises them: this shows what contention costs).
4. One chain, batched: ``--sweep-tasks`` tasks of one directive fall due together and one escalation sweep
   chains their entries onto that directive in batches: the product's own writer of many entries at once.

Runs on ``docket_bench_timeline`` (created and migrated when missing; entries are append-only, so the
database grows from run to run: ``--fresh`` recreates it), or with ``--template docket_bench_<N>_<M>`` on
a clone of a generated data set (chains already hundreds of entries long, a million-task database).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# Run as a script (python bench/timeline.py): the repository root is what makes `bench` importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BENCH,
    PYTHON,
    REPO,
    clone,
    database_exists,
    drop_database,
    log,
    machine,
    migrate,
    production_env,
    psql,
    save,
)

DB = "docket_bench_timeline"


def _worker(db: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, str(BENCH / "timeline_worker.py"), *args],
        cwd=REPO,
        env=production_env(db),
        stdout=subprocess.PIPE,
        text=True,
    )


def _result(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"timeline worker failed ({proc.returncode})")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _parallel(db: str, groups: list[list[int]], seconds: float) -> dict[str, Any]:
    start_at = time.time() + 3.0  # every process connected and ready before the clock starts
    procs = [
        _worker(
            db,
            "append",
            *[x for d in ids for x in ("--directive", str(d))],
            "--seconds",
            str(seconds),
            "--start-at",
            str(start_at),
        )
        for ids in groups
    ]
    results = [_result(p) for p in procs]
    total = sum(r["entries"] for r in results)
    longest = max(r["seconds"] for r in results)
    return {
        "processes": len(procs),
        "entries": total,
        "seconds": longest,
        "per_second": round(total / longest, 1),
        "workers": results,
    }


def run(
    *,
    seconds: float,
    processes: int,
    template: str | None = None,
    fresh: bool = False,
    sweep_tasks: int = 5000,
) -> dict[str, Any]:
    if template:
        db = clone(template, f"{template}_timeline")
    else:
        db = DB
        if fresh:
            drop_database(db)
        if not database_exists(db):
            psql(f'CREATE DATABASE "{db}"')
        migrate(db)
    setup = _result(_worker(db, "setup", "--directives", str(processes + 2)))
    ids = setup["directives"]
    log(f"one chain, one writer, {seconds} s")
    one = _result(_worker(db, "append", "--directive", str(ids[0]), "--seconds", str(seconds)))
    log(f"one chain, the same statements from plain psycopg (the floor), {seconds} s")
    floor = _result(_worker(db, "floor", "--directive", str(ids[0]), "--seconds", str(seconds)))
    log(f"{processes} chains, {processes} writers, {seconds} s")
    many = _parallel(db, [[d] for d in ids[1 : processes + 1]], seconds)
    log(f"one chain, {processes} writers, {seconds} s")
    contended = _parallel(db, [[ids[0]] for _ in range(processes)], seconds)
    log(f"one chain, batched by the escalation sweep: {sweep_tasks} tasks due at once")
    batched = _result(
        _worker(db, "sweep", "--directive", str(ids[processes + 1]), "--tasks", str(sweep_tasks))
    )
    verify = subprocess.run(
        [PYTHON, str(REPO / "manage.py"), "verify_timeline", "--directive", str(ids[0])],
        cwd=REPO,
        env=production_env(db),
        capture_output=True,
        text=True,
    )
    verify_batched = subprocess.run(
        [PYTHON, str(REPO / "manage.py"), "verify_timeline", "--directive", str(ids[processes + 1])],
        cwd=REPO,
        env=production_env(db),
        capture_output=True,
        text=True,
    )
    if template:
        drop_database(db)
    result = {
        "benchmark": "timeline",
        "command": f"python bench/timeline.py --seconds {seconds:g} --processes {processes}"
        + (f" --template {template}" if template else ""),
        "machine": machine(),
        "database": db,
        "one_chain": one,
        "one_chain_floor": floor,
        "many_chains": many,
        "one_chain_many_writers": contended,
        "one_chain_batched_by_sweep": batched,
        "chain_verified": verify.returncode == 0 and verify_batched.returncode == 0,
        "verify_output": (verify.stdout or verify.stderr).strip()[-300:],
        "targets": {
            "one_chain_at_least_1000_per_s": one["per_second"] >= 1000,
            "one_chain_batched_at_least_1000_per_s": batched["per_second"] >= 1000,
        },
    }
    save("timeline", result)
    return result


def summary(result: dict[str, Any]) -> str:
    return (
        f"timeline: one chain {result['one_chain']['per_second']}/s (its floor, plain psycopg: "
        f"{result['one_chain_floor']['per_second']}/s); {result['many_chains']['processes']} chains "
        f"{result['many_chains']['per_second']}/s; one chain with {result['one_chain_many_writers']['processes']} "
        f"writers {result['one_chain_many_writers']['per_second']}/s; one chain batched by the sweep "
        f"{result['one_chain_batched_by_sweep']['per_second']}/s; chains verified: {result['chain_verified']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--template", default=None, help="run on a clone of this generated database")
    parser.add_argument("--fresh", action="store_true", help="recreate docket_bench_timeline first")
    parser.add_argument("--sweep-tasks", type=int, default=5000, help="tasks due at once on one chain")
    args = parser.parse_args()
    result = run(
        seconds=args.seconds,
        processes=args.processes,
        template=args.template,
        fresh=args.fresh,
        sweep_tasks=args.sweep_tasks,
    )
    print(summary(result))


if __name__ == "__main__":
    main()
