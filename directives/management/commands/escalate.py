from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from directives.escalation.sweep import sweep
from directives.services.notifications import deliver_due


class Command(BaseCommand):
    help = (
        "Run one escalation sweep now and print what it did (subjects due, escalations recorded by level, "
        "reminders, catch-up, obligations missed, notifications queued, batches, elapsed time). Beat runs the "
        "same sweep every DOCKET_SWEEP_INTERVAL_SECONDS; running both at once is harmless."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=None, help="Rows claimed per transaction")
        parser.add_argument(
            "--deliver",
            action="store_true",
            help="Also deliver the due notifications in this process (without a worker)",
        )
        parser.add_argument("--json", action="store_true", help="Print the counts as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep(now=timezone.now(), batch_size=options["batch_size"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), sort_keys=True))
        else:
            self.stdout.write(str(result))
            for key, count in sorted(result.by_level.items()):
                subject, level = key.split(":")
                label = "reminder" if level == "0" else f"level {level}"
                self.stdout.write(f"  {subject} {label}: {count}")
        if options["deliver"]:
            counts = deliver_due(now=timezone.now())
            self.stdout.write(
                "delivered: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due")
            )
