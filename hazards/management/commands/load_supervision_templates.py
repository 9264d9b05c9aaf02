from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.audit import Source, audit_context


class Command(BaseCommand):
    help = "Load the 一单N制 supervision templates (Hunan's 一单四制 as default). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        from hazards.loaders import load_supervision_templates

        with audit_context(source=Source.COMMAND):
            for line in load_supervision_templates():
                self.stdout.write(line)
