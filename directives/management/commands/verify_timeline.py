from __future__ import annotations

import dataclasses
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directives.services.checkpoints import (
    CheckpointError,
    load_checkpoint,
    load_stored_checkpoint,
    taken_at,
    verify_checkpoint,
)
from directives.services.integrity import verify_record


class Command(BaseCommand):
    help = (
        "Recompute every timeline hash chain and compare each chain's end with its head (kept apart by the "
        "database); every directive must have entries. Exit non-zero naming the first problem. With --checkpoint FILE, "
        "also check the file's HMAC and that every chain still holds, up to the checkpointed entry, exactly "
        "what it held then (catches a rewrite even when every later hash was recomputed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directive", type=int, help="Verify only this directive's chain")
        parser.add_argument(
            "--checkpoint",
            metavar="FILE|latest",
            help="A file written by `manage.py timeline_checkpoint` (signed with DOCKET_CHECKPOINT_KEY), or "
            "'latest': the newest in the checkpoint storage (DOCKET_CHECKPOINT_STORAGE), where beat writes them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = None
        if options["checkpoint"]:
            # The file is checked first: an unauthentic checkpoint proves nothing and is refused outright.
            try:
                if options["checkpoint"] == "latest":
                    checkpoint = load_stored_checkpoint()
                else:
                    checkpoint = load_checkpoint(options["checkpoint"])
            except CheckpointError as exc:
                raise CommandError(str(exc)) from exc
        record = verify_record(options["directive"])
        reports = record.chains
        total = record.entries
        for report in reports:
            if options["verbosity"] >= 2 or not report.ok:
                state = "OK" if report.ok else f"BROKEN at {report.problem}"
                self.stdout.write(f"directive {report.directive_id}: {report.entries} entries, {state}")
        for head in record.heads:
            self.stdout.write(f"head: {head}")
        problems = []
        if checkpoint is not None:
            if options["directive"]:
                heads = tuple(h for h in checkpoint.heads if h.directive_id == options["directive"])
                checkpoint = dataclasses.replace(checkpoint, heads=heads)
            verified = frozenset(r.directive_id for r in reports if r.ok)
            problems = verify_checkpoint(checkpoint, verified_chains=verified)
            for problem in problems:
                self.stdout.write(f"checkpoint: {problem}")
            if problems:
                raise CommandError(
                    f"Timeline verification against checkpoint {checkpoint.path} FAILED: "
                    f"first bad entry: {problems[0]}"
                )
        if not record.ok:
            raise CommandError(f"Timeline verification FAILED: first bad entry: {record.first_problem()}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Timeline verified: {len(reports)} chains, {total} entries, all hashes match, every head agrees."
            )
        )
        if checkpoint is not None:
            when = taken_at(checkpoint)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Checkpoint {checkpoint.path} ({when}) is authentic and matches: {len(checkpoint.heads)} "
                    f"chains, {checkpoint.entries} entries unchanged since it was taken."
                )
            )
