from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core import audit
from core.backup import BackupError, restore_apply, restore_prepare


class Command(BaseCommand):
    help = ("Restore a backup made by `manage.py backup` (replaces the database and uploaded files). The archive "
            "is checked first — signed manifest, its change-log chain, the anchor file — and refused, with the "
            "installation untouched, if it was altered.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--allow-unsigned", action="store_true",
                            help="accept an archive made before manifests were signed (format 1), with a warning")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.exists():
            raise CommandError(f"找不到备份文件：{archive}")
        try:
            plan = restore_prepare(archive, allow_unsigned=options["allow_unsigned"])
        except (BackupError, OSError) as exc:  # OSError: unreadable archive, disk full while unpacking
            raise CommandError(f"{exc}\n当前数据库和上传文件未改动。") from exc
        try:
            for note in plan.notes:
                self.stdout.write(note)
            for warning in plan.warnings:
                self.stderr.write(warning)
            if not options["yes"]:
                answer = input("恢复将覆盖当前数据库和上传文件，确定继续吗？输入 yes 确认：")
                if answer.strip().lower() != "yes":
                    raise CommandError("已取消。")
            with audit.audit_context(source=audit.Source.COMMAND):
                record = restore_apply(plan)
        except (BackupError, OSError) as exc:  # the files are back in place if the swap failed
            raise CommandError(f"恢复失败：{exc}") from exc
        finally:
            plan.cleanup()
        head = plan.checkpoint
        self.stdout.write(f"已恢复 {plan.manifest['created_at']} 的备份（链头为区块 #{head.seq}）；变更记录校验通过，"
                          f"恢复已记入变更记录（#{record.extra.get('event')}，封存于区块 #{record.seq}）和锚点文件。")
