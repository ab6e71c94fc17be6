from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from directives.services.notifications import deliver_due, relay


class Command(BaseCommand):
    help = (
        "Re-drive the notification outbox: put every due row's id on the broker (as beat does every "
        "DOCKET_RELAY_INTERVAL_SECONDS), or with --inline deliver them in this process."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--inline", action="store_true", help="Deliver here instead of through Celery")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["inline"]:
            counts = deliver_due(now=timezone.now())
            self.stdout.write(
                "delivered: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due")
            )
            return
        from directives.tasks import deliver_notification

        published = relay(now=timezone.now(), publish=lambda pk: deliver_notification.delay(pk))
        self.stdout.write(f"{published} notification(s) put on the broker")
