"""Enforcement through a real Unleash: requested -> confirmed over N controls, p50 and p95.

    python bench/enforcement_unleash.py --controls 100             # one control at a time
    python bench/enforcement_unleash.py --controls 100 --workers 4 # four at once, as four worker processes would

Starts unleash-server 7.5.1 from tests/unleash (``npm ci`` there first if needed) on a free port with a
PostgreSQL database of its own (``UNLEASH_TEST_DATABASE``, or a fresh one dropped afterwards; the server is
``UNLEASH_TEST_PG_URL``). Sets up N flags, each available to every audience (not timed), then times two steps
for every control, as the seed's story has them: the order (block foreign nationals) and the shutdown
(suspend every audience). A step's time runs from the request to the moment every audience evaluates, through
Unleash's frontend API, as the step asked: the connector's ``apply`` (admin API writes, then waiting until the
frontend API serves them) followed by the confirmation (``evaluate`` for each of the four audiences).
Prints JSON: p50, p95 and max per step and over both, in ms; the full result goes to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import log, machine, save

AUDIENCES = {
    "foreign-nationals": "foreign",
    "domestic-users": "domestic",
    "government-agencies": "government",
}
STEPS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    # step: (requested states, what every audience must then evaluate as)
    "order": (
        {
            "foreign-nationals": "restricted",
            "domestic-users": "available",
            "government-agencies": "available",
        },
        {
            "all-users": "restricted",
            "foreign-nationals": "restricted",
            "domestic-users": "available",
            "government-agencies": "available",
        },
    ),
    "shutdown": ({"all-users": "suspended"}, dict.fromkeys(["all-users", *AUDIENCES], "suspended")),
}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    os.environ.setdefault("DOCKET_IGNORE_DOTENV", "1")
    os.environ.setdefault("DOCKET_VAR_DIR", tempfile.mkdtemp(prefix="docket-bench-unleash-"))
    import django

    django.setup()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _figures(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(_percentile(values, 0.95), 1),
        "max_ms": round(max(values), 1),
    }


def _enforce(connector: Any, target: Mapping[str, Any], product: str, step: str) -> float:
    """Requested -> confirmed for one control, in ms; raises when an audience does not read as requested."""
    states, expected = STEPS[step]
    requested = time.perf_counter()
    connector.apply(target=target, product=product, states=states, key=f"{step}:{product}")
    deadline = requested + 30
    while True:
        seen = {a: connector.evaluate(target=target, product=product, audience=a) for a in expected}
        if seen == expected:
            return (time.perf_counter() - requested) * 1000
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{product}: {step} not confirmed within 30 s: {seen}")
        time.sleep(0.05)


def run(controls: int, workers: int) -> dict[str, Any]:
    from directives.enforcement.unleash import UnleashConnector
    from tests.unleash.server import ENVIRONMENT, PROJECT, running_unleash

    with tempfile.TemporaryDirectory() as folder, running_unleash(Path(folder)) as server:
        connector = UnleashConnector(
            url=server.url,
            admin_token=server.admin_token,
            frontend_token=server.frontend_token,
            timeout=5,
            propagation_seconds=30,
        )
        target = {"project": PROJECT, "environment": ENVIRONMENT, "context_field": "nationality"}
        products = [f"Bench product {i:03d}" for i in range(controls)]
        everyone = dict.fromkeys(AUDIENCES, "available")
        log(f"setting up {controls} flags, available to everyone")
        for product in products:
            connector.apply(
                target={**target, "audiences": AUDIENCES}, product=product, states=everyone, key="setup"
            )
        figures: dict[str, Any] = {}
        every: list[float] = []
        for step in STEPS:
            log(f"timing {step} over {controls} controls, {workers} at once")
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                times = list(
                    pool.map(
                        lambda p, s=step: _enforce(connector, {**target, "audiences": AUDIENCES}, p, s),
                        products,
                    )
                )
            figures[step] = {**_figures(times), "wall_s": round(time.perf_counter() - started, 1)}
            every += times
        figures["both"] = _figures(every)
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--controls", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if not 1 <= args.controls <= 10_000 or not 1 <= args.workers <= 64:
        parser.error("--controls 1..10000, --workers 1..64")
    _setup_django()
    result = {
        "benchmark": "enforcement_unleash",
        "controls": args.controls,
        "workers": args.workers,
        "machine": machine(),
        "figures": run(args.controls, args.workers),
    }
    save("enforcement_unleash", result)
    print(json.dumps(result["figures"]))


if __name__ == "__main__":
    main()
