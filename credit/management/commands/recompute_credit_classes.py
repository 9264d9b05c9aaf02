from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core import audit
from core.audit import Source, audit_context


class Command(BaseCommand):
    help = ("Recompute the stored credit class of every enterprise with events or a listing (and every one stored "
            "below A) and move it in the enterprise counts. Idempotent; run after credit events or listings are "
            "written outside the services.")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import transaction

        from credit.standing import recompute_all

        with audit_context(source=Source.COMMAND), transaction.atomic():
            n = recompute_all()
            audit.record(action="credit.class_recompute", object_type="enterprises.enterprise",
                         object_repr="企业信用等级", changes={"changed": n})
        self.stdout.write(f"更新信用等级 {n} 家企业。")
