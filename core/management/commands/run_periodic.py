from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.background import enqueue_due_jobs


class Command(BaseCommand):
    help = "Queue the periodic jobs that are due (for deployments that use cron instead of `serve`)."

    def handle(self, *args: Any, **options: Any) -> None:
        names = enqueue_due_jobs()
        self.stdout.write("已排队：" + ("、".join(names) if names else "无到期任务"))
