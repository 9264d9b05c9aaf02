"""The 一会三卡 builder as it was before the cards moved onto docxtpl templates (commit 4225cf3), kept
verbatim as the reference: the template-rendered cards must hold the same text on the same data."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import segno
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from core.documents import text as doc_text
from risk.choices import GRADE_SHORT, MeasureKind, accident_labels, hazard_factor_labels
from risk.models import RiskPoint

MEASURE_KINDS = list(MeasureKind)


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
