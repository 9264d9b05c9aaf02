"""一单N制 templates (``manage.py load_supervision_templates``): Hunan's 一单四制 as the default,
the seed plan's 一单五制 and the variants found in rules.md §2.1. Idempotent."""

from __future__ import annotations

from django.db import transaction

from core import audit
from hazards.models import SupervisionStep, SupervisionTemplate

K = SupervisionStep.Kind
# code -> (name, basis, default, circular days, steps)
TEMPLATES: dict[str, tuple[str, str, bool, int, list[str]]] = {
    "hunan-4": ("一单四制（湖南）", "湖南省隐患治理“一单四制”：交办制、台账制、销号制、通报制；每半个月通报", True, 15,
                [K.ASSIGN, K.LEDGER, K.CLOSE, K.CIRCULAR]),
    "xiangxiang-5": ("一单五制（湘乡市三年行动方案）", "湘乡市安全生产专项整治三年行动：交办制、台账制、销号制、通报制、清零制",
                     False, 15, [K.ASSIGN, K.LEDGER, K.CLOSE, K.CIRCULAR, K.CLEAR]),
    "hanbin-5": ("一单五制（巡查追责）", "安康市汉滨区汉政办发〔2018〕67号：交办制、台账制、销号制、通报制、巡查追责制",
                 False, 15, [K.ASSIGN, K.LEDGER, K.CLOSE, K.CIRCULAR, K.PATROL]),
    "nanxi-5": ("一单五制（月报督办）", "宜宾市南溪区2019：月报制、交办制、督办制、销号制、通报制", False, 30,
                [K.MONTHLY, K.ASSIGN, K.SUPERVISE, K.CLOSE, K.CIRCULAR]),
}


@transaction.atomic
def load_supervision_templates() -> list[str]:
    lines: list[str] = []
    for code, (name, basis, default, days, steps) in TEMPLATES.items():
        template = SupervisionTemplate.objects.filter(code=code).first()
        if template is not None:
            lines.append(f"督办模板“{name}”已存在，保留现有设置。")
            continue
        if default and SupervisionTemplate.objects.filter(is_default=True).exists():
            default = False
        template = SupervisionTemplate.objects.create(code=code, name=name, basis=basis, is_default=default,
                                                      circular_days=days)
        for order, kind in enumerate(steps, start=1):
            SupervisionStep.objects.create(template=template, order=order, kind=kind)
        audit.record(action="hazards.template_create", obj=template,
                     changes={"code": code, "name": name, "steps": [str(s) for s in steps]})
        lines.append(f"新增督办模板“{name}”（{len(steps)} 个环节）。")
    return lines
