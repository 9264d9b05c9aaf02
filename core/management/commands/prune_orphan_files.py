from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from core.models import Attachment


class Command(BaseCommand):
    help = "Delete stored attachment files that no Attachment row refers to (left by rolled-back uploads)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--min-age-hours", type=int, default=24,
                            help="leave younger files alone: their upload's transaction may still be open")

    def handle(self, *args: Any, **options: Any) -> None:
        known = set(Attachment.objects.values_list("file", flat=True))
        cutoff = timezone.now() - dt.timedelta(hours=options["min_age_hours"])
        removed = 0

        def walk(path: str) -> None:
            nonlocal removed
            dirs, files = default_storage.listdir(path)
            for name in files:
                full = f"{path}/{name}"
                if full not in known and default_storage.get_modified_time(full) < cutoff:
                    removed += 1
                    if not options["dry_run"]:
                        default_storage.delete(full)
            for d in dirs:
                walk(f"{path}/{d}")

        if default_storage.exists("attachments"):
            walk("attachments")
        self.stdout.write(f"孤立文件：{removed} 个{'（仅检查）' if options['dry_run'] else '，已删除'}")
