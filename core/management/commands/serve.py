from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

# waitress removes X-Forwarded-For / X-Real-IP unless it trusts the sender itself; the platform decides whom to
# believe in one place (core.net.client_ip with ANZHI_TRUSTED_PROXIES), so the headers pass through to it.
WAITRESS = {"ident": "anzhi", "clear_untrusted_proxy_headers": False}


class Command(BaseCommand):
    help = ("Serve the platform with waitress; the background worker runs as a child process (db_worker) and the "
            "scheduler as a thread.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-background", action="store_true", help="do not run the task worker and scheduler here")
        parser.add_argument("--worker-thread", action="store_true",
                            help="run the task worker as a thread of this process instead of a child process")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.core.exceptions import ImproperlyConfigured
        from django.core.management.base import CommandError
        from waitress import serve

        from core.startup import collect_static_if_needed, compile_stale_catalogues

        # A fresh clone starts with no hidden step: the translations are compiled and the static files
        # collected here, whenever they are missing or older than their sources.
        try:
            compile_stale_catalogues()
        except OSError as exc:  # a read-only install: Chinese (the msgids) still works, English may be stale
            self.stderr.write(f"无法编译翻译文件（{exc}）；英文界面可能不是最新。请用有写权限的账号运行 "
                              "“manage.py compile_translations”。")
        try:
            collect_static_if_needed(self.stdout.write)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc

        import atexit

        from anzhi.wsgi import application
        from core.background import (
            start_background,
            start_scheduler,
            start_worker_process,
            stop_worker_process,
        )

        if not options["no_background"]:
            if settings.ANZHI_TASK_BACKEND != "db":  # the scheduler here queues; a worker elsewhere runs
                start_scheduler()
                self.stdout.write("任务队列在 Redis：请另行运行 “manage.py rqworker default” 执行后台任务。")
            elif options["worker_thread"]:
                start_background()
            else:  # heavy jobs (the escalation sweep, imports) never share the web process
                start_scheduler()
                atexit.register(stop_worker_process, start_worker_process())
        self.stdout.write(f"安治已启动：http://{options['host']}:{options['port']}/  （按 Ctrl+C 停止）")
        if settings.DEBUG:
            self.stdout.write("注意：DJANGO_DEBUG 已开启，仅供开发使用。")
        serve(application, host=options["host"], port=options["port"], threads=options["threads"], **WAITRESS)
