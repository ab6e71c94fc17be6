"""Run the benchmarks (``make bench``). By default a small size that finishes in a few minutes; the full
sizes, and the figures they gave, are in docs/benchmarks.md.

    python bench/run.py                                   # small: every part
    python bench/run.py --parts sweep,timeline            # some parts
    python bench/run.py --tasks 1000000 --due 10000       # the full sweep and pages sizes
    python bench/run.py --parts peer --peer-tickets 100000 --peer-eligible 10000 --peer-tasks 100000

Needs PostgreSQL (``BENCH_PG``, default postgres://postgres@127.0.0.1:5432, a role that may create
databases), ``psql``, and for the pages part ``wrk`` (Debian package). Each part writes its JSON to
bench/results/ and prints one summary line.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Run as a script (python bench/run.py): the repository root is what makes `bench` importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import pages, peer, serializers, sweep, sweep_parallel, throttle, timeline
from bench.common import log

PARTS = ("sweep", "sweep_parallel", "peer", "timeline", "pages", "serializers", "throttle")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated: " + ",".join(PARTS))
    parser.add_argument("--tasks", type=int, default=20_000, help="active tasks for sweep and pages")
    parser.add_argument("--due", type=int, default=2_000, help="of which newly due")
    parser.add_argument("--users", type=int, default=None, help="bench_data --users (default: its own)")
    parser.add_argument("--peer-tickets", type=int, default=10_000)
    parser.add_argument("--peer-eligible", type=int, default=500)
    parser.add_argument("--peer-tasks", type=int, default=None, help="default: --tasks")
    parser.add_argument("--peer-due", type=int, default=None, help="default: --due")
    parser.add_argument(
        "--peer-queues", type=int, default=None, help="escalate only N of helpdesk's 10 queues"
    )
    parser.add_argument("--timeline-seconds", type=float, default=5.0)
    parser.add_argument("--timeline-processes", type=int, default=2)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    args = parser.parse_args()
    parts = [p for p in args.parts.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")

    lines: list[str] = []
    started = time.perf_counter()
    if "sweep" in parts:
        lines.append(sweep.summary(sweep.run(tasks=args.tasks, due=args.due, users=args.users)))
    if "peer" in parts:
        lines.append(
            peer.summary(
                peer.run(
                    tickets=args.peer_tickets,
                    eligible=args.peer_eligible,
                    tasks=args.peer_tasks or args.tasks,
                    due=args.peer_due or args.due,
                    queues=args.peer_queues,
                    users=args.users,
                )
            )
        )
    if "timeline" in parts:
        lines.append(
            timeline.summary(timeline.run(seconds=args.timeline_seconds, processes=args.timeline_processes))
        )
    if "pages" in parts:
        lines.append(
            pages.summary(
                pages.run(
                    tasks=args.tasks,
                    due=args.due,
                    connections=args.connections,
                    duration=args.duration,
                    workers=None,
                    users=args.users,
                )
            )
        )
    if "serializers" in parts:
        lines.append(serializers.summary(serializers.run(tasks=args.tasks, due=args.due)))
    if "sweep_parallel" in parts:
        lines.append(sweep_parallel.summary(sweep_parallel.run(tasks=args.tasks, due=args.due)))
    if "throttle" in parts:
        lines.append(throttle.summary(throttle.run()))
    log(f"done in {time.perf_counter() - started:.0f} s; results in bench/results/")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
