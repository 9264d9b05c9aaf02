from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.audit import Source, audit_context


class Command(BaseCommand):
    help = "Load the checklist library (seed lists and national major-hazard standards from checks/data/). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        from checks.loaders import load_checklists

        with audit_context(source=Source.COMMAND):
            _counts, lines = load_checklists()
        for line in lines:
            self.stdout.write(line)
