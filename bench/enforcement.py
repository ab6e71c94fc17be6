"""Enforcement through a signed webhook on the embedded default: requested -> confirmed over N controls.

    python bench/enforcement.py --controls 100

The embedded default (SQLite in a temporary folder, migrated first) and a real in-house kill switch: the
HTTP server of tests/enforcement/killswitch.py on a free local port, verifying each signature. N products,
each with a webhook control, named by one directive. Two steps are timed, as the seed's story has them:

- ``order``: each control's change recorded in turn (foreign nationals restricted), then the worker's
  attempt (``services.enforcement.run_due``: apply, evaluate each audience through the status URL, confirm);
- ``one_click``: legal's one-click suspension of all N products in one step (``services.suspension.
  suspend_all``), then one worker carrying out the N requested changes one after another, as a single
  Celery worker would; a change's time includes its wait behind the others.

The figure is each row's ``confirmed_at - requested_at``, the instants the timeline shows. Prints JSON:
p50, p95 and max per step, in ms; the full result goes to bench/results/.
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import log, machine, save


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    os.environ["DOCKET_IGNORE_DOTENV"] = "1"
    os.environ["DOCKET_VAR_DIR"] = tempfile.mkdtemp(prefix="docket-bench-enforcement-")
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()


def _figures(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
        "max_ms": round(max(values), 1),
    }


def _times(rows: Any) -> list[float]:
    times = []
    for row in rows:
        if row.confirmed_at is None:
            raise RuntimeError(f"{row.control.product}: {row.status}: {row.last_error}")
        times.append((row.confirmed_at - row.requested_at).total_seconds() * 1000)
    return times


def _order(directive: Any, products: list[Any], actor: Any) -> list[float]:
    from django.utils import timezone

    from directives.models import Audience, Enforcement
    from directives.services import enforcement
    from directives.services.products import record_access_change

    foreign = [Audience.objects.get(key="foreign-nationals")]
    pks = []
    for product in products:
        now = timezone.now()
        record_access_change(
            product=product,
            audiences=foreign,
            state="restricted",
            directive=directive,
            occurred_at=now,
            actor=actor,
            now=now,
        )
        enforcement.run_due(now=timezone.now(), clock=timezone.now)
        pks.append(Enforcement.objects.filter(control__product=product).latest("pk").pk)
    return _times(Enforcement.objects.filter(pk__in=pks).select_related("control__product"))


def _one_click(directive: Any, actor: Any) -> list[float]:
    from django.utils import timezone

    from directives.services import enforcement, suspension

    requested = suspension.suspend_all(directive=directive, actor=actor, now=timezone.now())
    enforcement.run_due(now=timezone.now(), clock=timezone.now)
    for row in requested:
        row.refresh_from_db()
    return _times(requested)


def run(controls: int) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command

    from directives.choices import Role
    from directives.services import controls as control_services
    from tests.enforcement.killswitch import SECRET, KillSwitch
    from tests.factories import UserFactory, make_directive, make_product

    log("migrating the embedded database")
    call_command("migrate", verbosity=0)
    settings.DOCKET_ENFORCEMENT_WEBHOOK_SECRET = SECRET
    switch = KillSwitch().start()
    try:
        engineer = UserFactory(username="bench-engineer", role=Role.ENGINEERING)
        legal = UserFactory(username="bench-legal", role=Role.LEGAL)
        products = [make_product(f"Bench product {i:03d}") for i in range(controls)]
        for product in products:
            control_services.set_control(product=product, kind="webhook", target=switch.target())
        directive = make_directive(actor=legal, products=products)
        figures: dict[str, Any] = {}
        for step, timed in (
            ("order", lambda: _order(directive, products, engineer)),
            ("one_click", lambda: _one_click(directive, legal)),
        ):
            log(f"timing {step} over {controls} webhook controls")
            started = time.perf_counter()
            figures[step] = {**_figures(timed()), "wall_s": round(time.perf_counter() - started, 2)}
        figures["switch_posts"] = switch.posts
        return figures
    finally:
        switch.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--controls", type=int, default=100)
    args = parser.parse_args()
    if not 1 <= args.controls <= 10_000:
        parser.error("--controls 1..10000")
    _setup_django()
    result = {
        "benchmark": "enforcement",
        "controls": args.controls,
        "connector": "webhook",
        "database": "SQLite (embedded default)",
        "machine": machine(),
        "figures": run(args.controls),
    }
    save("enforcement", result)
    print(json.dumps(result["figures"]))


if __name__ == "__main__":
    main()
