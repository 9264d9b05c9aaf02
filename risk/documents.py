"""Generated documents: the 一企一清单 workbook and the 一会三卡 cards (.docx with a QR code, made from the
Word templates declared in ``risk.doc_templates``)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from docx import Document

from core.xlsx import Style, Workbook
from documents.registry import Image
from risk.choices import GRADE_COLOUR, GRADE_SHORT, MeasureKind, accident_labels, hazard_factor_labels
from risk.doc_templates import QR_WIDTH_MM, card_key, qr_png
from risk.models import RiskPoint

MEASURE_KINDS = list(MeasureKind)
LIST_HEADERS_LEFT = ["序号", "风险点名称", "类型", "位置", "危险有害因素", "可能导致的事故类型", "评价方法", "L/E/C 或 L/S",
                     "风险值", "风险等级"]
LIST_HEADERS_RIGHT = ["管控层级", "责任人"]


def _num(v: Decimal | None) -> Any:
    return "" if v is None else float(v)


def risk_list_xlsx(enterprise: Any, points: Sequence[RiskPoint], overall_label: str) -> bytes:
    """The 风险分级管控清单 in the usual layout: measures split into five columns under one merged header."""
    factors = hazard_factor_labels()
    accidents = accident_labels()
    book = Workbook()
    ws = book.sheet("风险分级管控清单")
    title = Style(bold=True, font_size=16, align="center", valign="vcenter")
    head = Style(bold=True, bg_color="#DDEBF7", border=1, align="center", valign="vcenter", text_wrap=True)
    cell = Style(border=1, valign="top", text_wrap=True)
    grade_fmt = {g: Style(border=1, bold=True, align="center", valign="vcenter", bg_color=c,
                          font_color="#000000" if g == "yellow" else "#FFFFFF")
                 for g, c in GRADE_COLOUR.items()}
    ncols = len(LIST_HEADERS_LEFT) + len(MEASURE_KINDS) + len(LIST_HEADERS_RIGHT)
    ws.merge(0, 0, 0, ncols - 1, f"{enterprise.name} 安全风险分级管控清单", title)
    ws.merge(1, 0, 1, ncols - 1, f"企业风险等级：{overall_label}", Style(align="left"))
    for col, h in enumerate(LIST_HEADERS_LEFT):
        ws.merge(2, col, 3, col, h, head)
    m0 = len(LIST_HEADERS_LEFT)
    ws.merge(2, m0, 2, m0 + len(MEASURE_KINDS) - 1, "管控措施", head)
    for i, kind in enumerate(MEASURE_KINDS):
        ws.write(3, m0 + i, str(kind.label), head)
    r0 = m0 + len(MEASURE_KINDS)
    for i, h in enumerate(LIST_HEADERS_RIGHT):
        ws.merge(2, r0 + i, 3, r0 + i, h, head)
    widths = [6, 18, 10, 14, 30, 18, 12, 16, 8, 14] + [26] * len(MEASURE_KINDS) + [10, 10]
    for col, w in enumerate(widths):
        ws.set_column(col, col, w)
    for n, p in enumerate(points, start=1):
        row = 3 + n
        by_kind: dict[str, list[str]] = {}
        people: list[str] = []
        for m in p.measures.all():
            by_kind.setdefault(m.kind, []).append(f"{m.content}（{m.get_level_display()}，{m.responsible}）")
            people.append(m.responsible)
        values = [n, p.name, p.get_kind_display(), p.location,
                  "；".join(factors.get(c, c) for c in p.hazard_factors),
                  "、".join(accidents.get(c, c) for c in p.accident_types),
                  p.get_method_display() + ("（直接判定：" + p.direct_reason + "）" if p.direct_major else ""),
                  p.inputs_label, _num(p.value)]
        ws.write_row(row, values, cell)
        if p.grade:
            ws.write(row, len(values), f"{GRADE_SHORT[p.grade]} {p.get_grade_display()}", grade_fmt[p.grade])
        else:
            ws.write(row, len(values), "未评估", cell)
        for i, kind in enumerate(MEASURE_KINDS):
            ws.write(row, m0 + i, "\n".join(f"{j}. {t}" for j, t in enumerate(by_kind.get(kind, []), 1)), cell)
        ws.write(row, r0, p.get_control_level_display(), cell)
        ws.write(row, r0 + 1, p.responsible or "、".join(dict.fromkeys(people)), cell)
    ws.freeze_panes(4, 2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(2, 3)
    return book.getvalue()


# -- 一会三卡 -----------------------------------------------------------------------------------
def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _numbered(items: Iterable[str]) -> str:
    return "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1))


def card_context(*, point: RiskPoint, enterprise: Any, url: str, size: str = "a4",
                 hazards: Iterable[Any] = ()) -> dict[str, Any]:
    """A post's data as the card templates see it (declared in ``risk.doc_templates``)."""
    factors, accidents = hazard_factor_labels(), accident_labels()
    measures = list(point.measures.all())
    location = " ".join(x for x in (point.department, point.team, point.location) if x) \
        if point.location or point.department else ""
    steps = _lines(point.emergency_actions) or [m.content for m in measures if m.kind == MeasureKind.EMERGENCY]
    return {
        "enterprise": {"name": enterprise.name},
        "post": {
            "name": point.name,
            "location": location,
            "grade": f"{GRADE_SHORT[point.grade]}色 · {point.get_grade_display()}" if point.grade else "未评估",
            "factors": "；".join(factors.get(c, c) for c in point.hazard_factors) or point.description,
            "accidents": "、".join(accidents.get(c, c) for c in point.accident_types),
            "description": point.description,
            "measures": [{"label": str(mk.label), "text": _numbered(m.content for m in measures if m.kind == mk)}
                         for mk in MEASURE_KINDS if any(m.kind == mk for m in measures)],
            "hazards": "\n".join(str(h) for h in hazards),
            "emergency_steps": _numbered(steps),
            "emergency_phone": point.emergency_phone,
            "duties": _numbered(_lines(point.duties)),
            "post_measures": _numbered(m.content for m in ([m for m in measures if m.level in ("post", "team")]
                                                          or measures)),
            "responsible": point.responsible or "、".join(dict.fromkeys(m.responsible for m in measures)),
        },
        "url": url,
        "qr": Image(qr_png(url), QR_WIDTH_MM[size]),
    }


def card_owners(enterprise: Any) -> list[Any]:
    """Whose template a card uses: the enterprise's regulating departments (in their order), then the
    campaign offices over its territory."""
    from documents.selectors import offices_covering
    from orgs.choices import UnitKind

    departments = enterprise.departments.filter(kind=UnitKind.DEPARTMENT, active=True).order_by("sort", "name")
    return [*departments, *offices_covering(enterprise.jurisdiction_path)]


def card_docx(*, kind: str, point: RiskPoint, enterprise: Any, url: str, size: str = "a4",
              hazards: Iterable[Any] = ()) -> bytes:
    """One card for a post (risk point of kind post), from the template that serves its enterprise.
    ``url`` is the live record's absolute address, encoded in the QR code."""
    from documents.rendering import generate

    return generate(card_key(kind, size), card_context(point=point, enterprise=enterprise, url=url, size=size,
                                                       hazards=hazards), owners=card_owners(enterprise))


def docx_text(data: bytes) -> str:
    """All text of a .docx (paragraphs and tables), for tests and previews."""
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for r in t.rows:
            parts += [c.text for c in r.cells]
    return "\n".join(parts)
