from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from directives.services.checkpoints import CheckpointError, take_checkpoint, write_checkpoint


class Command(BaseCommand):
    help = (
        "Verify every timeline chain, then write the head of each (directive, seq, hash) with the time and an "
        "HMAC-SHA256 under DOCKET_CHECKPOINT_KEY to a JSON file. Keep the file away from the database and its "
        "backups; `verify_timeline --checkpoint FILE` later proves nothing before it was rewritten."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            default="-",
            help="File to write (written atomically, mode 0600); '-' (the default) writes to standard output",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document = take_checkpoint(now=timezone.now())
        except CheckpointError as exc:
            raise CommandError(str(exc)) from exc
        totals = document["totals"]
        summary = (
            f"Checkpoint {document['created_at']}: {totals['chains']} chains, {totals['entries']} entries"
        )
        if options["output"] == "-":
            self.stdout.write(json.dumps(document, indent=1, sort_keys=True))
            self.stderr.write(summary + ".")
        else:
            path = write_checkpoint(document, options["output"])
            self.stdout.write(self.style.SUCCESS(f"{summary}, written to {path}. Store it elsewhere."))
