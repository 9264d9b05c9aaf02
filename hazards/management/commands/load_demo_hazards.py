from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.audit import Source, audit_context


class Command(BaseCommand):
    help = "Load a handful of demo hazards (general and major, overdue, one listed for supervision). Demo only."

    def handle(self, *args: Any, **options: Any) -> None:
        from hazards.demo import load_demo_hazards

        with audit_context(source=Source.COMMAND):
            for line in load_demo_hazards():
                self.stdout.write(line)
