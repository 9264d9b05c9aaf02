from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from core.background import enqueue_due_jobs


class Command(BaseCommand):
    help = ("Queue the periodic jobs that are due: once (for cron), or every N seconds in a process of its own "
            "(--every; for deployments that run the web server and the worker as separate processes).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--every", type=float, default=0,
                            help="keep running and check every so many seconds (0: check once and exit)")

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        while True:
            close_old_connections()
            names = enqueue_due_jobs()
            self.stdout.write("已排队：" + ("、".join(names) if names else "无到期任务"))
            if every <= 0:
                return
            self.stdout.flush()
            time.sleep(every)
