from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import audit
from core.anchor import anchor_path, last_checkpoint, reach_problem
from core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = ("Back up the database and uploaded files into one .tar.gz archive; its manifest carries a signed "
            "checkpoint of the change-log chain, also appended to the anchor file.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"] or Path(settings.VAR_DIR) / "backups" / f"anzhi-{dt.datetime.now():%Y%m%d-%H%M%S}.tar.gz"
        backup_id = uuid.uuid4().hex
        # Back up regardless (the archive is evidence too), but say so if the log no longer reaches its anchor.
        problem = reach_problem(last_checkpoint())
        if problem:
            self.stderr.write(f"警告：{problem}")
        with audit.audit_context(source=audit.Source.COMMAND), transaction.atomic():
            audit.record(action="core.backup", object_type="core.backup", object_id=backup_id, object_repr=str(output))
        try:
            result = create_backup(output, backup_id=backup_id)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.anchor_error:
            self.stderr.write(f"警告：备份已完成，但检查点未能写入锚点文件 {anchor_path()}：{result.anchor_error}")
        self.stdout.write(f"备份完成：{output}（{result.manifest['events']} 条变更记录，链头为区块 #{result.checkpoint.seq}，"
                          f"数据库 {result.manifest['engine']}）")
