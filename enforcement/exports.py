"""Files the enforcement module gives out: a draw's verification package (.zip)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings

from enforcement import draw as algorithm
from enforcement.services import draw_bundle, mask_name

README = """双随机抽查验证材料 / Draw verification package

抽查任务：{title}
承诺值（抽取前公布）：{commitment}
公开随机源：{source}

文件：
  population.json   检查对象名录库快照（抽取所用）
  inspectors.json   执法检查人员名录库快照（抽取所用，含回避申报）
  parameters.json   抽取参数（分层、比例/数量、权重、每组人数、回避规则）
  commitment.json   承诺文件及其 SHA-256
  reveal.json       公开随机值、操作人与见证人的随机输入（抽取时公开）
  result.json       抽取结果
  draw.py           抽取算法（与平台运行的代码一字不差）
  verify_draw.py    验证脚本（仅用 Python 标准库）

验证方法：python3 verify_draw.py .
"""


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def public_population(population: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The population as published: no personal data. Snapshots already name premises and 个体工商户 masked
    (``services.public_target_name``), so this changes nothing in them and the package still verifies; it is the
    guard for any row that still carries a name in full."""
    from enterprises.models import Enterprise

    individual = set(Enterprise.objects.filter(credit_code__startswith="92").values_list("pk", flat=True))
    out = []
    for row in population:
        ident = str(row.get("id", ""))
        masked = ident.startswith("p") or (ident.startswith("e") and ident[1:].isdigit() and int(ident[1:]) in individual)
        out.append({**row, "name": mask_name(str(row.get("name") or ""))} if masked else row)
    return out


def draw_zip(draw: Any, *, public: bool = False) -> bytes:
    """The package anyone can re-run a draw from (before the draw: the committed parts only). ``public``: the
    package the public page gives out (``public_population``)."""
    bundle = draw_bundle(draw)
    if public:
        bundle["population"] = public_population(bundle["population"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)

        for name, value in bundle.items():
            add(f"{name}.json", _json(value))
        add("draw.py", Path(algorithm.__file__).read_bytes())
        add("verify_draw.py", (Path(settings.BASE_DIR) / "scripts" / "verify_draw.py").read_bytes())
        add("README.txt", README.format(title=draw.title, commitment=draw.commitment,
                                        source=draw.public_source).encode("utf-8"))
    return out.getvalue()
