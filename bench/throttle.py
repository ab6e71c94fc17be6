"""The API's rate check: DRF's ``UserRateThrottle`` (a list of the last period's request times, read and
written back on every request) against Docket's sliding-window counter (two counters per client), on the
cache a single web host uses by default (the file cache), for a client that has already made N requests in
the last minute (issue 7, the task list API; docs/benchmarks.md, section 4).

    python bench/throttle.py --checks 300

Each check is one request's throttle work: ``allow_request`` for a signed-in client whose rate is not
reached. No database is needed; the cache lives in a temporary folder. Reports min and median milliseconds
per check; the speed probe says how fast the machine was.

Then Docket's check while the cache folder already holds 0, 1,000 or 5,000 other entries (other clients'
counters and the rest), on Django's ``FileBasedCache`` and on the project's ``compliance.cache.FileCache``:
Django's lists the whole folder on every write, the project's every 10 s.
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
# Entries already in the cache folder (other clients' counters, the dashboard's snapshot, ...): Django's file
# cache lists the folder on every write to decide whether to cull; compliance/cache.py every 10 s.
POPULATIONS = (0, 1000, 5000)


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
            row[label] = _timed_checks(throttle, request, view, checks)
        out[str(history)] = row
    out["populated"] = _populated(checks, request, view)
    return out


def _timed_checks(throttle: Any, request: Any, view: Any, checks: int) -> dict[str, float]:
    times = []
    for _ in range(checks):
        started = time.perf_counter()
        allowed = throttle.allow_request(request, view)
        times.append((time.perf_counter() - started) * 1000)
        assert allowed
    return {"min_ms": round(min(times), 3), "median_ms": round(statistics.median(times), 3)}


def _populated(checks: int, request: Any, view: Any) -> dict[str, Any]:
    """Docket's check for a client with 10 earlier requests while the folder holds N other entries, on
    Django's file cache and on the project's (compliance/cache.py), each in a folder of its own."""
    from django.conf import settings
    from django.core.cache.backends.filebased import FileBasedCache

    from compliance.cache import FileCache
    from directives.api import throttling as docket

    options = dict(settings.CACHES["default"].get("OPTIONS", {}))
    out: dict[str, Any] = {}
    for population in POPULATIONS:
        row: dict[str, Any] = {}
        for label, backend in (("django", FileBasedCache), ("docket", FileCache)):
            with tempfile.TemporaryDirectory() as folder:
                store: Any = backend(folder, {"OPTIONS": options})
                for i in range(population):
                    store.set(f"other:{i}", i, 300)
                throttle: Any = docket.UserRateThrottle()
                throttle.cache = store
                throttle.rate, (throttle.num_requests, throttle.duration) = "1000000/min", (1_000_000, 60)
                store.set(f"{throttle.get_cache_key(request, view)}:{int(time.time() // 60)}", 10, 120)
                row[label] = _timed_checks(throttle, request, view, checks)
        out[str(population)] = row
    return out


def run(*, checks: int = 300) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as var:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL")}
        env.update(
            DOCKET_VAR_DIR=var,
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY="bench-" + "x" * 50,
            DOCKET_CHECKPOINT_KEY="bench-checkpoint-" + "y" * 40,
        )
        return measure_in_child("throttle", __file__, ["--checks", str(checks)], env, {"checks": checks})


def summary(result: dict[str, Any]) -> str:
    figures = result["figures"]
    populated = figures["populated"]
    return (
        f"throttle check on the {figures['cache']} (median ms, DRF -> Docket): "
        + "; ".join(
            f"{history} earlier requests {figures[str(history)]['drf']['median_ms']} -> "
            f"{figures[str(history)]['docket']['median_ms']}"
            for history in HISTORIES
        )
        + ". Docket's check with other entries in the folder (median ms, Django's file cache -> "
        "compliance.cache.FileCache): "
        + "; ".join(
            f"{population} entries {populated[str(population)]['django']['median_ms']} -> "
            f"{populated[str(population)]['docket']['median_ms']}"
            for population in POPULATIONS
        )
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
