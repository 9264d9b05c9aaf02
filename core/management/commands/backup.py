from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import audit
from core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and uploaded files into one .tar.gz archive."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"] or Path(settings.VAR_DIR) / "backups" / f"anzhi-{dt.datetime.now():%Y%m%d-%H%M%S}.tar.gz"
        with audit.audit_context(source=audit.Source.COMMAND), transaction.atomic():
            audit.record(action="backup", object_type="core.backup", object_repr=str(output))
        try:
            manifest = create_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"备份完成：{output}（{manifest['events']} 条变更记录，数据库 {manifest['engine']}）")
