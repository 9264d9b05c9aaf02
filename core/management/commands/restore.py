from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import audit
from core.backup import BackupError, restore_backup
from core.chain import verify_chain


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` (replaces the database and uploaded files)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.exists():
            raise CommandError(f"找不到备份文件：{archive}")
        if not options["yes"]:
            answer = input("恢复将覆盖当前数据库和上传文件，确定继续吗？输入 yes 确认：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消。")
        try:
            manifest = restore_backup(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        report = verify_chain()
        with audit.audit_context(source=audit.Source.COMMAND), transaction.atomic():
            audit.record(action="restore", object_type="core.backup", object_repr=str(archive),
                         note=f"备份时间 {manifest['created_at']}，链校验{'通过' if report.ok else '失败'}")
        self.stdout.write(f"已恢复 {manifest['created_at']} 的备份；变更记录哈希链校验{'通过' if report.ok else '失败'}。")
        for problem in report.problems:
            self.stderr.write(problem)
