"""Enforcement through a real Unleash: requested -> confirmed over N controls, p50 and p95.

    python bench/enforcement_unleash.py --controls 100             # one control at a time
    python bench/enforcement_unleash.py --controls 100 --workers 4 # four at once, as four worker processes would
    python bench/enforcement_unleash.py --controls 100 --service   # through Docket's enforcement service

Starts unleash-server 7.5.1 from tests/unleash (``npm ci`` there first if needed) on a free port with a
PostgreSQL database of its own (``UNLEASH_TEST_DATABASE``, or a fresh one dropped afterwards; the server is
``UNLEASH_TEST_PG_URL``). Sets up N flags, each available to every audience (not timed), then times two steps
for every control, as the seed's story has them: the order (block foreign nationals) and the shutdown
(suspend every audience). A step's time runs from the request to the moment every audience evaluates, through
Unleash's frontend API, as the step asked: the connector's ``apply`` (admin API writes, then waiting until the
frontend API serves them) followed by the confirmation (``evaluate`` for each of the four audiences).
With ``--service`` the steps go through Docket itself, on the embedded default (SQLite in a temporary folder,
migrated first): each control's access change recorded (the "requested" instant), then the worker's attempt
(``services.enforcement.run_due``: apply, evaluate each audience, confirm), and the time is the row's
``confirmed_at - requested_at``, as the timeline shows it.
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


def _connector(server: Any) -> Any:
    from directives.enforcement.unleash import UnleashConnector

    return UnleashConnector(
        url=server.url,
        admin_token=server.admin_token,
        frontend_token=server.frontend_token,
        timeout=5,
        propagation_seconds=30,
    )


def _target() -> dict[str, Any]:
    from tests.unleash.server import ENVIRONMENT, PROJECT

    return {
        "project": PROJECT,
        "environment": ENVIRONMENT,
        "context_field": "nationality",
        "audiences": AUDIENCES,
    }


def run_connector(server: Any, products: list[str], workers: int) -> dict[str, Any]:
    """The connector alone: apply, then evaluate every audience until it reads as asked."""
    connector, target = _connector(server), _target()
    log(f"setting up {len(products)} flags, available to everyone")
    for product in products:
        connector.apply(
            target=target, product=product, states=dict.fromkeys(AUDIENCES, "available"), key="setup"
        )
    figures: dict[str, Any] = {}
    every: list[float] = []
    for step in STEPS:
        log(f"timing {step} over {len(products)} controls, {workers} at once")
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            times = list(pool.map(lambda p, s=step: _enforce(connector, target, p, s), products))
        figures[step] = {**_figures(times), "wall_s": round(time.perf_counter() - started, 1)}
        every += times
    figures["both"] = _figures(every)
    return figures


def run_service(server: Any, products: list[str]) -> dict[str, Any]:
    """Through Docket: the access change recorded, the worker's attempt, confirmed_at - requested_at."""
    from django.conf import settings
    from django.core.management import call_command

    log("migrating the embedded database")
    call_command("migrate", verbosity=0)
    for name, value in server.settings().items():
        setattr(settings, name, value)
    from directives.choices import Role
    from directives.services import controls
    from tests.factories import UserFactory, make_directive, make_product

    engineer = UserFactory(username="bench-engineer", role=Role.ENGINEERING)
    legal = UserFactory(username="bench-legal", role=Role.LEGAL)
    rows = [make_product(name) for name in products]
    for product in rows:
        controls.set_control(product=product, kind="unleash", target=_target_as_text())
    directive = make_directive(actor=legal, products=rows)
    log(f"setting up {len(rows)} flags, available to everyone")
    _service_step(directive, rows, engineer, "all-users", "available")
    figures: dict[str, Any] = {}
    every: list[float] = []
    for step, (audience, state) in (
        ("order", ("foreign-nationals", "restricted")),
        ("shutdown", ("all-users", "suspended")),
    ):
        log(f"timing {step} over {len(rows)} controls through the enforcement service")
        started = time.perf_counter()
        times = _service_step(directive, rows, engineer, audience, state)
        figures[step] = {**_figures(times), "wall_s": round(time.perf_counter() - started, 1)}
        every += times
    figures["both"] = _figures(every)
    return figures


def _target_as_text() -> dict[str, str]:
    target = _target()
    return {**target, "audiences": ", ".join(f"{k}={v}" for k, v in AUDIENCES.items())}


def _service_step(directive: Any, products: list[Any], actor: Any, audience: str, state: str) -> list[float]:
    """Each control in turn: its change recorded and carried out; its requested -> confirmed in ms."""
    from django.utils import timezone

    from directives.models import Audience, Enforcement
    from directives.services import enforcement
    from directives.services.products import record_access_change

    chosen = [Audience.objects.get(key=audience)]
    times = []
    for product in products:
        now = timezone.now()
        record_access_change(
            product=product,
            audiences=chosen,
            state=state,
            directive=directive,
            occurred_at=now,
            actor=actor,
            now=now,
        )
        outcome = enforcement.run_due(now=timezone.now(), clock=timezone.now)
        row = Enforcement.objects.filter(control__product=product).latest("pk")
        if outcome != {"confirmed": 1} or row.confirmed_at is None:
            raise RuntimeError(f"{product}: {outcome}, {row.status}: {row.last_error}")
        times.append((row.confirmed_at - row.requested_at).total_seconds() * 1000)
    return times


def run(controls: int, workers: int, service: bool) -> dict[str, Any]:
    from tests.unleash.server import running_unleash

    products = [f"Bench product {i:03d}" for i in range(controls)]
    with tempfile.TemporaryDirectory() as folder, running_unleash(Path(folder)) as server:
        return run_service(server, products) if service else run_connector(server, products, workers)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--controls", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--service", action="store_true", help="through Docket's enforcement service")
    args = parser.parse_args()
    if not 1 <= args.controls <= 10_000 or not 1 <= args.workers <= 64:
        parser.error("--controls 1..10000, --workers 1..64")
    _setup_django()
    result = {
        "benchmark": "enforcement_unleash",
        "controls": args.controls,
        "workers": 1 if args.service else args.workers,
        "through": "enforcement service" if args.service else "connector",
        "machine": machine(),
        "figures": run(args.controls, args.workers, args.service),
    }
    save("enforcement_unleash", result)
    print(json.dumps(result["figures"]))


if __name__ == "__main__":
    main()
