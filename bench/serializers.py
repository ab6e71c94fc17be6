"""List serializers: DRF's generic ``ListSerializer`` against Docket's ``PlannedListSerializer`` on the
same rows, in one process, one after the other, many times (issue 7: the task list API).

    python bench/serializers.py --tasks 1000000 --due 10000 --repeat 200

On the generated template (``bench_data``; made when missing), read only: the first page of each list
(``--page`` rows, 50 as the API's default page) exactly as the API's views fetch it (the task list with its
assignees and evidence), then each list written by both serializers, alternating, ``--repeat`` times.
Both outputs are compared first (they must be equal). Reports min and median milliseconds per page and
the ratio; the speed probe says how fast the machine was (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ensure_template, log, measure_in_child, production_env, template_name


def measure(repeat: int, page: int) -> dict[str, Any]:
    """In a Django process on the template: both serializers on the same rows."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    django.setup()
    from rest_framework import serializers

    from directives.api import views
    from directives.models import TimelineEntry

    def first_page(viewset: Any) -> tuple[Any, list[Any]]:
        """The view's own queryset, in its default order: what a list request serialises."""
        return viewset.serializer_class, list(viewset.queryset.order_by(*viewset.ordering)[:page])

    lists: dict[str, tuple[Any, list[Any]]] = {
        "tasks": first_page(views.TaskViewSet),
        "directives": first_page(views.DirectiveViewSet),
        "escalations": first_page(views.EscalationViewSet),
        "timeline": (
            views.TimelineViewSet.serializer_class,
            list(TimelineEntry.objects.order_by("-id")[:page]),
        ),
    }
    out: dict[str, Any] = {}
    for name, (serializer_class, rows) in lists.items():

        def drf(rows: list[Any] = rows, serializer_class: Any = serializer_class) -> Any:
            """A new serializer per call, as a view makes one per request (its fields built each time)."""
            return serializers.ListSerializer(child=serializer_class()).to_representation(rows)

        def planned(rows: list[Any] = rows, serializer_class: Any = serializer_class) -> Any:
            return serializer_class(rows, many=True).data

        assert json.dumps(drf()) == json.dumps(planned()), f"{name}: the two outputs differ"
        times: dict[str, list[float]] = {"drf": [], "planned": []}
        for _ in range(repeat):
            for label, fn in (("drf", drf), ("planned", planned)):
                started = time.perf_counter()
                fn()
                times[label].append((time.perf_counter() - started) * 1000)
        out[name] = {
            "rows": len(rows),
            **{
                label: {"min_ms": round(min(t), 3), "median_ms": round(statistics.median(t), 3)}
                for label, t in times.items()
            },
            "ratio_median": round(statistics.median(times["drf"]) / statistics.median(times["planned"]), 2),
        }
    return out


def run(*, tasks: int, due: int, repeat: int = 200, page: int = 50) -> dict[str, Any]:
    ensure_template(tasks, due)
    db = template_name(tasks, due)
    return measure_in_child(
        "serializers",
        __file__,
        ["--repeat", str(repeat), "--page", str(page)],
        production_env(db),
        {"tasks": tasks, "due": due, "repeat": repeat, "page": page},
        database=db,
    )


def summary(result: dict[str, Any]) -> str:
    return "serializers (median ms per page, DRF -> planned): " + "; ".join(
        f"{name} {row['drf']['median_ms']} -> {row['planned']['median_ms']} ({row['ratio_median']}x)"
        for name, row in result["figures"].items()
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--page", type=int, default=50)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.repeat, args.page)))
        return
    result = run(tasks=args.tasks, due=args.due, repeat=args.repeat, page=args.page)
    log(summary(result))
    print(summary(result))


if __name__ == "__main__":
    main()
