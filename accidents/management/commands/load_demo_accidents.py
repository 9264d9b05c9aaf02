from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.audit import Source, audit_context


class Command(BaseCommand):
    help = "Load demo accidents (this month and the same month of the last three years, a fire). Demo only."

    def handle(self, *args: Any, **options: Any) -> None:
        from accidents.demo import load_demo_accidents

        with audit_context(source=Source.COMMAND):
            for line in load_demo_accidents():
                self.stdout.write(line)
