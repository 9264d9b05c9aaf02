from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core import audit
from core.audit import Source, audit_context


class Command(BaseCommand):
    help = ("Recount the maintained enterprise counts (EnterpriseTally) from the enterprises, their domains and "
            "their stored credit classes. Idempotent; run after enterprises are written outside the services.")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import transaction

        from enterprises.tally import rebuild

        with audit_context(source=Source.COMMAND), transaction.atomic():
            n = rebuild()
            audit.record(action="enterprises.tally_rebuild", object_type="enterprises.enterprisetally",
                         object_repr="企业汇总", changes={"rows": n})
        self.stdout.write(f"重算企业汇总 {n} 行。")
