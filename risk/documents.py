"""Generated documents: the 一企一清单 workbook and the 一会三卡 cards (.docx with a QR code)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import segno
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from core.documents import text as doc_text
from core.xlsx import Style, Workbook
from risk.choices import GRADE_COLOUR, GRADE_SHORT, MeasureKind, accident_labels, hazard_factor_labels
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
CARD_KINDS = {
    "notice": "岗位安全风险告知卡",
    "emergency": "岗位应急处置卡",
    "duty": "岗位安全责任卡",
}
SIZES = {"a4": (Mm(210), Mm(297)), "a6": (Mm(105), Mm(148))}


def qr_png(url: str, scale: int = 4) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def _set_font(doc: Any) -> None:
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def card_docx(*, kind: str, point: RiskPoint, enterprise: Any, url: str, size: str = "a4",
              hazards: Iterable[Any] = ()) -> bytes:
    """One card for a post (risk point of kind post). ``url`` is the live record's absolute address,
    encoded in the QR code."""
    doc = Document()
    _set_font(doc)
    small = size == "a6"
    width, height = SIZES[size]
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = width, height
    margin = Mm(6) if small else Mm(18)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = margin
    body_pt = Pt(7.5 if small else 11)

    def para(text: str, *, bold: bool = False, pt: Any = None, center: bool = False, colour: str | None = None) -> Any:
        p = doc.add_paragraph()
        run = p.add_run(doc_text(text))
        run.bold = bold
        run.font.size = pt or body_pt
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(1 if small else 4)
        return p

    para(CARD_KINDS[kind], bold=True, pt=Pt(12 if small else 20), center=True)
    para(f"{enterprise.name}", center=True, pt=Pt(8 if small else 12))
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"

    def row(label: str, value: str) -> None:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = doc_text(label), doc_text(value)
        for c in cells:
            for p in c.paragraphs:
                for r in p.runs:
                    r.font.size = body_pt
        cells[0].paragraphs[0].runs[0].bold = True

    row("岗位名称", point.name)
    if point.location or point.department:
        row("所在位置", " ".join(x for x in (point.department, point.team, point.location) if x))
    grade = f"{GRADE_SHORT[point.grade]}色 · {point.get_grade_display()}" if point.grade else "未评估"
    measures = list(point.measures.all())
    if kind == "notice":
        row("风险等级", grade)
        factors = hazard_factor_labels()
        row("主要危险有害因素", "；".join(factors.get(c, c) for c in point.hazard_factors) or point.description)
        row("可能导致的事故", "、".join(accident_labels().get(c, c) for c in point.accident_types))
        if point.description:
            row("风险描述", point.description)
        for mk in MEASURE_KINDS:
            items = [m.content for m in measures if m.kind == mk]
            if items:
                row(f"{mk.label}措施", "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1)))
        open_h = [h for h in hazards]
        if open_h:
            row("关联隐患", "\n".join(str(h) for h in open_h))
    elif kind == "emergency":
        steps = _lines(point.emergency_actions) or [m.content for m in measures if m.kind == MeasureKind.EMERGENCY]
        row("可能发生的事故", "、".join(accident_labels().get(c, c) for c in point.accident_types))
        row("应急处置步骤", "\n".join(f"{i}. {t}" for i, t in enumerate(steps, 1)) or "（未填写）")
        row("注意事项", "先确保自身安全，严禁盲目施救；无法控制时立即撤离并报告。")
        row("应急电话", point.emergency_phone or "火警 119 · 急救 120")
    else:
        duties = _lines(point.duties)
        row("岗位安全责任", "\n".join(f"{i}. {t}" for i, t in enumerate(duties, 1)) or "（未填写）")
        row("本岗位管控措施", "\n".join(f"{i}. {m.content}" for i, m in enumerate(
            [m for m in measures if m.level in ("post", "team")] or measures, 1)))
        row("责任人", point.responsible or "、".join(dict.fromkeys(m.responsible for m in measures)))
        row("签字确认", "本人已知悉本岗位安全责任。    签名：__________    日期：__________")
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run().add_picture(io.BytesIO(qr_png(url)), width=Mm(18 if small else 30))
    para("扫码查看最新内容", center=True, pt=Pt(6 if small else 9))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """All text of a .docx (paragraphs and tables), for tests and previews."""
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for r in t.rows:
            parts += [c.text for c in r.cells]
    return "\n".join(parts)
