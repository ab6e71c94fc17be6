from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from directives.services.demo import load_demo


class Command(BaseCommand):
    help = "Create the demo users and load the seed scenario (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo(now=timezone.now())
        if result["users_created"]:
            self.stdout.write("Demo users created (passwords shown once; change them outside a demo):")
            for spec in result["users_created"]:
                role = spec.role.label if spec.role else "Administrator"
                self.stdout.write(f"  {spec.username:<10} {spec.password:<24} {role}")
        directive = result["directive"]
        if result["loaded"]:
            self.stdout.write(self.style.SUCCESS(f"Demo scenario loaded: {directive}"))
        else:
            self.stdout.write(f"Demo scenario already present: {directive}")
