"""The API's rate check: DRF's ``UserRateThrottle`` (a list of the last period's request times, read and
written back on every request) against Docket's sliding-window counter (two counters per client), on the
cache a single web host uses by default (the file cache), for a client that has already made N requests in
the last minute (issue 7, the task list API; docs/benchmarks.md, section 4).

    python bench/throttle.py --checks 300

Each check is one request's throttle work: ``allow_request`` for a signed-in client whose rate is not
reached. No database is needed; the cache lives in a temporary folder. Reports min and median milliseconds
per check; the speed probe says how fast the machine was.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import log, measure_in_child

HISTORIES = (10, 500, 5000)  # requests already made in the last minute (5,000: the default user rate)


def measure(checks: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    django.setup()
    from django.core.cache import cache, caches
    from rest_framework import throttling as drf

    from directives.api import throttling as docket

    request: Any = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=1))  # what the key reads
    view: Any = None
    out: dict[str, Any] = {"cache": type(caches["default"]).__name__}
    for history in HISTORIES:
        row: dict[str, Any] = {}
        for label, cls in (("drf", drf.UserRateThrottle), ("docket", docket.UserRateThrottle)):
            cache.clear()
            throttle: Any = cls()
            throttle.rate, (throttle.num_requests, throttle.duration) = "1000000/min", (1_000_000, 60)
            now = time.time()
            if label == "drf":
                cache.set(throttle.get_cache_key(request, view), [now - i * 0.01 for i in range(history)], 60)
            else:
                cache.set(f"{throttle.get_cache_key(request, view)}:{int(now // 60)}", history, 120)
            times = []
            for _ in range(checks):
                started = time.perf_counter()
                allowed = throttle.allow_request(request, view)
                times.append((time.perf_counter() - started) * 1000)
                assert allowed
            row[label] = {"min_ms": round(min(times), 3), "median_ms": round(statistics.median(times), 3)}
        out[str(history)] = row
    return out


def run(*, checks: int = 300) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as var:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL")}
        env.update(DOCKET_VAR_DIR=var, DJANGO_DEBUG="false", DJANGO_SECRET_KEY="bench-" + "x" * 50)
        return measure_in_child("throttle", __file__, ["--checks", str(checks)], env, {"checks": checks})


def summary(result: dict[str, Any]) -> str:
    figures = result["figures"]
    return f"throttle check on the {figures['cache']} (median ms, DRF -> Docket): " + "; ".join(
        f"{history} earlier requests {figures[str(history)]['drf']['median_ms']} -> "
        f"{figures[str(history)]['docket']['median_ms']}"
        for history in HISTORIES
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.checks)))
        return
    result = run(checks=args.checks)
    log(summary(result))
    print(summary(result))


if __name__ == "__main__":
    main()
