from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from directives.escalation.reschedule import reschedule


class Command(BaseCommand):
    help = (
        "Recompute every open task's and obligation's next escalation instant from the current policies "
        "(the admin does this after a policy is saved); each ladder continues after its last recorded step."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = reschedule(now=timezone.now())
        self.stdout.write(f"{changed} schedule(s) changed")
