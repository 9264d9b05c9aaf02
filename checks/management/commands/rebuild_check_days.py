from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core import audit
from core.audit import Source, audit_context


class Command(BaseCommand):
    help = "Recount the daily rollup of the checks figures (CheckDay) from due checks and runs. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import transaction

        from checks.rollup import rebuild

        with audit_context(source=Source.COMMAND), transaction.atomic():
            n = rebuild()
            audit.record(action="checks.rollup_rebuild", object_type="checks.checkday", object_repr="排查日汇总",
                         changes={"rows": n})
        self.stdout.write(f"重算排查日汇总 {n} 行。")
