from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directives.services.timeline import verify_all, verify_chain


class Command(BaseCommand):
    help = "Recompute every timeline hash chain; exit non-zero naming the first bad entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directive", type=int, help="Verify only this directive's chain")

    def handle(self, *args: Any, **options: Any) -> None:
        reports = [verify_chain(options["directive"])] if options["directive"] else verify_all()
        bad = [r for r in reports if not r.ok]
        total = sum(r.entries for r in reports)
        for report in reports:
            if options["verbosity"] >= 2 or not report.ok:
                state = "OK" if report.ok else f"BROKEN at {report.problem}"
                self.stdout.write(f"directive {report.directive_id}: {report.entries} entries, {state}")
        if bad:
            first = bad[0].problem
            raise CommandError(f"Timeline verification FAILED: first bad entry: {first}")
        self.stdout.write(
            self.style.SUCCESS(f"Timeline verified: {len(reports)} chains, {total} entries, all hashes match.")
        )
