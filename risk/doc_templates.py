"""The 一会三卡 cards as document types: one per card and paper size (A4 to post, A6 to carry), their
variables and the layout of the shipped default templates."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import segno
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from documents.building import cell_text, new_document, paragraph
from documents.registry import DocumentType, Image, Var, register_type

CARD_KINDS = {
    "notice": "岗位安全风险告知卡",
    "emergency": "岗位应急处置卡",
    "duty": "岗位安全责任卡",
}
SIZES = {"a4": (Mm(210), Mm(297)), "a6": (Mm(105), Mm(148))}
QR_WIDTH_MM = {"a4": 30, "a6": 18}
EXAMPLE_URL = "https://anzhi.example.cn/risk/points/1/"


def card_key(kind: str, size: str) -> str:
    return f"risk_card_{kind}_{size}"


def qr_png(url: str, scale: int = 4) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def variables(size: str) -> tuple[Var, ...]:
    return (
        Var("enterprise.name", _("企业名称"), "湘乡钢铁有限公司"),
        Var("post.name", _("岗位名称"), "轧钢机操作岗"),
        Var("post.location", _("所在位置（部门、班组、位置）；未填写部门和位置时为空"), "轧钢车间 甲班 1号轧机"),
        Var("post.grade", _("风险等级"), "橙色 · 较大风险（橙）"),
        Var("post.factors", _("主要危险有害因素（未选择时为风险描述）"), "物的因素：物理性危险和有害因素"),
        Var("post.accidents", _("可能导致的事故类型"), "机械伤害、物体打击"),
        Var("post.description", _("风险描述"), "轧辊咬入、飞溅"),
        Var("post.measures", _("管控措施，按类别每类一项"), loop="m", item=(
            Var("label", _("措施类别（工程技术、管理、培训教育、个体防护、应急处置）"), "个体防护"),
            Var("text", _("该类措施，逐条编号、每条一行"), "1. 佩戴防护手套\n2. 穿防砸鞋"),
        )),
        Var("post.hazards", _("关联的未销号隐患，每条一行"), "轧机防护罩缺失（整改中）"),
        Var("post.emergency_steps", _("应急处置步骤，逐条编号、每条一行；未填写时为空"), "1. 立即按下急停按钮\n2. 报告班长"),
        Var("post.emergency_phone", _("应急电话；未填写时为空"), "0731-56780000"),
        Var("post.duties", _("岗位安全责任，逐条编号、每条一行；未填写时为空"), "1. 执行操作规程\n2. 班前检查设备"),
        Var("post.post_measures", _("本岗位（岗位级、班组级）管控措施，逐条编号"), "1. 佩戴防护手套"),
        Var("post.responsible", _("责任人"), "张三"),
        Var("url", _("本岗位在系统中的网址（二维码的内容）"), EXAMPLE_URL),
        Var("qr", _("二维码图片：扫码查看最新内容"), Image(qr_png(EXAMPLE_URL), QR_WIDTH_MM[size])),
    )


RULE = _("企业的监管部门（企业信息中的“监管部门”）上传的版本用于其监管企业的卡片，有多个时按部门排序取第一个；"
         "其余企业使用安委办的版本；都没有时使用系统默认模板。")


def _rows(kind: str) -> list[tuple[str, str, str]]:
    """(condition, label, value) of each table row after 岗位名称; a condition makes the row optional."""
    location = [("post.location", "所在位置", "{{ post.location }}")]
    if kind == "notice":
        return [*location, ("", "风险等级", "{{ post.grade }}"),
                ("", "主要危险有害因素", "{{ post.factors }}"), ("", "可能导致的事故", "{{ post.accidents }}"),
                ("post.description", "风险描述", "{{ post.description }}"),
                ("for m in post.measures", "{{ m.label }}措施", "{{ m.text }}"),
                ("post.hazards", "关联隐患", "{{ post.hazards }}")]
    if kind == "emergency":
        return [*location, ("", "可能发生的事故", "{{ post.accidents }}"),
                ("", "应急处置步骤", '{{ post.emergency_steps or "（未填写）" }}'),
                ("", "注意事项", "先确保自身安全，严禁盲目施救；无法控制时立即撤离并报告。"),
                ("", "应急电话", '{{ post.emergency_phone or "火警 119 · 急救 120" }}')]
    return [*location, ("", "岗位安全责任", '{{ post.duties or "（未填写）" }}'),
            ("", "本岗位管控措施", "{{ post.post_measures }}"), ("", "责任人", "{{ post.responsible }}"),
            ("", "签字确认", "本人已知悉本岗位安全责任。    签名：__________    日期：__________")]


def card_rows(kind: str, context: dict[str, Any]) -> list[tuple[str, str]]:
    """The rows of a card as (label, text) for the HTML print view, from the same row list the default Word
    template is built from (``_rows``), evaluated in the documents' sandbox on the card's context."""
    from documents.rendering import environment

    env = environment()
    env.autoescape = False  # plain text here; the page template escapes it

    def text(expr: str, scope: dict[str, Any]) -> str:
        return env.from_string(expr).render(**scope)

    rows = [("岗位名称", text("{{ post.name }}", context))]
    for condition, label, value in _rows(kind):
        if condition.startswith("for "):
            var, _in, seq = condition[4:].partition(" in ")
            for item in env.compile_expression(seq)(**context) or []:
                scope = {**context, var.strip(): item}
                rows.append((text(label, scope), text(value, scope)))
        elif not condition or env.compile_expression(condition)(**context):
            rows.append((text(label, context), text(value, context)))
    return rows


def build_card_template(kind: str, size: str) -> Any:
    doc = new_document()
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    small = size == "a6"
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = SIZES[size]
    margin = Mm(6) if small else Mm(18)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = margin
    body = 7.5 if small else 11
    gap = 1 if small else 4

    paragraph(doc, CARD_KINDS[kind], bold=True, size=12 if small else 20, align="center", space_after=gap)
    paragraph(doc, "{{ enterprise.name }}", size=8 if small else 12, align="center", space_after=gap)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"

    def row(label: str, value: str) -> None:
        cells = table.add_row().cells
        cell_text(cells[0], label, size=body, bold=True)
        cell_text(cells[1], value, size=body)

    row("岗位名称", "{{ post.name }}")
    for condition, label, value in _rows(kind):
        if condition.startswith("for "):
            table.add_row().cells[0].text = "{%tr " + condition + " %}"
            row(label, value)
            table.add_row().cells[0].text = "{%tr endfor %}"
        elif condition:
            table.add_row().cells[0].text = "{%tr if " + condition + " %}"
            row(label, value)
            table.add_row().cells[0].text = "{%tr endif %}"
        else:
            row(label, value)
    paragraph(doc, "{{ qr }}", align="center")
    paragraph(doc, "扫码查看最新内容", size=6 if small else 9, align="center", space_after=gap)
    return doc


def _builder(kind: str, size: str) -> Callable[[], Any]:
    return lambda: build_card_template(kind, size)


def register() -> None:
    for kind, name in CARD_KINDS.items():
        for size, paper in (("a4", _("A4 张贴")), ("a6", _("A6 随身"))):
            register_type(DocumentType(
                key=card_key(kind, size), label=format_lazy("{}（{}）", name, paper), group=_("一会三卡"), app_label="risk",
                variables=variables(size), build_default=_builder(kind, size), rule=RULE))
