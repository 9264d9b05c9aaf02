from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core import audit
from core.audit import Source, audit_context


class Command(BaseCommand):
    help = "Recount the maintained hazard counts (HazardTally, HazardDue) from the hazards. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import transaction

        from hazards.tally import rebuild

        with audit_context(source=Source.COMMAND), transaction.atomic():
            n = rebuild()
            audit.record(action="hazards.tally_rebuild", object_type="hazards.hazardtally", object_repr="隐患汇总",
                         changes={"rows": n})
        self.stdout.write(f"重算隐患汇总 {n} 行。")
