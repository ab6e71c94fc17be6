from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directives.services.checkpoints import CheckpointError, load_checkpoint, verify_checkpoint
from directives.services.timeline import verify_all, verify_chain


class Command(BaseCommand):
    help = (
        "Recompute every timeline hash chain; exit non-zero naming the first bad entry. With --checkpoint FILE, "
        "also check the file's HMAC and that every chain still holds, up to the checkpointed entry, exactly "
        "what it held then (catches a rewrite even when every later hash was recomputed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directive", type=int, help="Verify only this directive's chain")
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="A file written by `manage.py timeline_checkpoint` (signed with DOCKET_CHECKPOINT_KEY)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = None
        if options["checkpoint"]:
            # The file is checked first: an unauthentic checkpoint proves nothing and is refused outright.
            try:
                checkpoint = load_checkpoint(options["checkpoint"])
            except CheckpointError as exc:
                raise CommandError(str(exc)) from exc
        reports = [verify_chain(options["directive"])] if options["directive"] else verify_all()
        bad = [r for r in reports if not r.ok]
        total = sum(r.entries for r in reports)
        for report in reports:
            if options["verbosity"] >= 2 or not report.ok:
                state = "OK" if report.ok else f"BROKEN at {report.problem}"
                self.stdout.write(f"directive {report.directive_id}: {report.entries} entries, {state}")
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
        if bad:
            first = bad[0].problem
            raise CommandError(f"Timeline verification FAILED: first bad entry: {first}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Timeline verified: {len(reports)} chains, {total} entries, all hashes match."
            )
        )
        if checkpoint is not None:
            when = checkpoint.created_at.astimezone(dt.UTC).isoformat()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Checkpoint {checkpoint.path} ({when}) is authentic and matches: {len(checkpoint.heads)} "
                    f"chains, {checkpoint.entries} entries unchanged since it was taken."
                )
            )
