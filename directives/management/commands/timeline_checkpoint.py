from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from directives.services.checkpoints import (
    Checkpoint,
    CheckpointError,
    latest_stored_name,
    load_checkpoint,
    load_stored_checkpoint,
    store_new_checkpoint,
    take_checkpoint,
    write_checkpoint,
)


class Command(BaseCommand):
    help = (
        "Verify the record (every chain, every head), then write the head of each chain (directive, seq, hash) "
        "with the time and an HMAC-SHA256 under DOCKET_CHECKPOINT_KEY. Refuses when the record no longer holds "
        "what the previous checkpoint held (a chain shorter than it was, an entry rewritten). --store adds it to "
        "the checkpoint storage (DOCKET_CHECKPOINT_STORAGE: a folder or a bucket, where beat writes them); "
        "--output writes a file. Keep checkpoints away from the database and its backups; "
        "`verify_timeline --checkpoint latest|FILE` later proves nothing before them was rewritten."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            default="-",
            help="File to write (written atomically, mode 0600); '-' (the default) writes to standard output",
        )
        parser.add_argument(
            "--store", action="store_true", help="Add it to the checkpoint storage instead (as beat does)"
        )
        parser.add_argument(
            "--previous",
            default="latest",
            metavar="latest|none|FILE",
            help="The checkpoint the record must still hold: the newest stored one (default), none, or a file",
        )

    def _previous(self, option: str) -> Checkpoint | None:
        if option == "none":
            return None
        if option == "latest":
            return load_stored_checkpoint() if latest_stored_name() is not None else None
        return load_checkpoint(option)

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        try:
            if options["store"]:
                where, document = store_new_checkpoint(now=now)
            else:
                document = take_checkpoint(now=now, previous=self._previous(options["previous"]))
        except CheckpointError as exc:
            raise CommandError(str(exc)) from exc
        totals = document["totals"]
        summary = (
            f"Checkpoint {document['created_at']}: {totals['chains']} chains, {totals['entries']} entries"
        )
        if options["store"]:
            self.stdout.write(self.style.SUCCESS(f"{summary}, stored as {where}."))
        elif options["output"] == "-":
            self.stdout.write(json.dumps(document, indent=1, sort_keys=True))
            self.stderr.write(summary + ".")
        else:
            path = write_checkpoint(document, options["output"])
            self.stdout.write(self.style.SUCCESS(f"{summary}, written to {path}. Store it elsewhere."))
