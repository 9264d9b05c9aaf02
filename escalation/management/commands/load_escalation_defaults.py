from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.audit import Source, audit_context
from escalation.loaders import load_escalation_defaults


class Command(BaseCommand):
    help = "创建默认督办阶梯（提醒→通报→约谈→挂牌督办；证照到期提醒），可重复执行"

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(source=Source.COMMAND):
            for line in load_escalation_defaults():
                self.stdout.write(line)
