"""The monthly 事故警示通报 (accident warning bulletin) as a document type (documents registry).

Seed (湘乡市安全生产专项整治三年行动, 附件1): "市安委办按月就近三年同期发生的生产安全事故开展警示通报。" The bulletin sets
the month's accidents against the same month of each of the three years before, by domain and by township, tells
the month's typical cases (persons named in the responsibility findings masked), lists the fires by the range
their warning goes to (火灾事故分级分类预警, ``accidents.warnings``) and closes with the tasks for next month the
office writes before issuing. The shipped default is built here (scripts/build_doc_templates.py); the office
replaces it with its own edited copy on the template pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from docx.shared import Mm

from documents.building import control, loop_table, new_document, paragraph
from documents.registry import DocumentType, Var, register_type
from orgs.choices import UnitKind

KEY = "accidents_bulletin"
TITLE = "生产安全事故警示通报"

YEAR_VARS = tuple(Var(f"cols.y{i}", _("对比月份%(i)s") % {"i": i}, f"{2026 - i}年5月") for i in range(4))
ROW_ITEMS = (
    Var("name", _("名称"), "工矿商贸"),
    *(Var(f"y{i}", _("起数/死亡（第%(i)s列）") % {"i": i}, "2起/1人") for i in range(4)),
    Var("change", _("同比"), "+100%"),
)

VARIABLES = (
    Var("doc.title", _("标题"), "生产安全事故警示通报"),
    Var("doc.issue", _("期号"), "2026年第5期"),
    Var("doc.issuer", _("发布单位"), "湘乡市安全生产委员会办公室"),
    Var("doc.date", _("日期"), "2026年6月3日"),
    Var("period.label", _("通报月份"), "2026年5月"),
    Var("summary.text", _("总体情况"), "2026年5月，全市共发生生产安全事故3起，死亡2人……"),
    *YEAR_VARS,
    Var("total", _("合计（近三年同期）"), loop="r", item=ROW_ITEMS),
    Var("domains", _("分行业领域（近三年同期）"), loop="r", item=ROW_ITEMS),
    Var("towns", _("分乡镇（街道、园区）（近三年同期）"), loop="r", item=ROW_ITEMS),
    Var("cases", _("典型案例"), loop="c", item=(
        Var("number", _("序号"), "一"), Var("title", _("标题"), "东山街道某公司“5·12”机械伤害事故"),
        Var("text", _("经过"), "2026年5月12日……"), Var("cause", _("原因"), "安全防护装置缺失……"),
        Var("findings", _("责任认定（姓名已隐去）"), "张某（车间主任）：未督促……"))),
    Var("fires", _("火灾事故分级分类预警"), loop="f", item=(
        Var("title", _("火灾"), "5月8日 东山街道某商场火灾"), Var("range", _("预警范围"), "全市范围"),
        Var("reason", _("依据"), "生产经营场所一般火灾"))),
    Var("tasks", _("下月工作任务"), loop="s", item=(Var("text", _("任务"), "开展有限空间作业专项检查。"),)),
)


def build() -> Any:
    doc = new_document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(26)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    body = {"font": "仿宋", "size": 16, "first_line_indent": 32}
    head = ("仿宋", 12)
    heading = {"font": "黑体", "size": 16}
    paragraph(doc, "{{ doc.title }}", font="方正小标宋简体", size=22, align="center", space_after=6)
    paragraph(doc, "{{ doc.issue }}", font="仿宋", size=16, align="center")
    paragraph(doc, "{{ doc.issuer }}                    {{ doc.date }}", font="仿宋", size=14, space_after=12)
    paragraph(doc, "一、总体情况", **heading)
    paragraph(doc, "{{ summary.text }}", **body)
    columns = ["", "{{ cols.y0 }}", "{{ cols.y1 }}", "{{ cols.y2 }}", "{{ cols.y3 }}", "同比"]
    cells = ["{{ r.name }}", "{{ r.y0 }}", "{{ r.y1 }}", "{{ r.y2 }}", "{{ r.y3 }}", "{{ r.change }}"]
    loop_table(doc, ["合计", *columns[1:]], "r in total", cells, head_font=head, body_font=head)
    paragraph(doc, "二、分行业领域情况（起数/死亡人数，近三年同期）", **heading)
    loop_table(doc, ["行业领域", *columns[1:]], "r in domains", cells, head_font=head, body_font=head)
    paragraph(doc, "三、分乡镇（街道、园区）情况（起数/死亡人数，近三年同期）", **heading)
    loop_table(doc, ["乡镇（街道、园区）", *columns[1:]], "r in towns", cells, head_font=head, body_font=head)
    paragraph(doc, "四、典型案例", **heading)
    control(doc, "{%p if cases %}")
    control(doc, "{%p for c in cases %}")
    paragraph(doc, "（{{ c.number }}）{{ c.title }}", font="楷体", size=16, first_line_indent=32)
    paragraph(doc, "{{ c.text }}", **body)
    paragraph(doc, "事故原因：{{ c.cause }}", **body)
    paragraph(doc, "责任认定：{{ c.findings }}", **body)
    control(doc, "{%p endfor %}")
    control(doc, "{%p else %}")
    paragraph(doc, "本月没有列为典型案例的事故。", **body)
    control(doc, "{%p endif %}")
    paragraph(doc, "五、火灾事故分级分类预警", **heading)
    control(doc, "{%p if fires %}")
    loop_table(doc, ["火灾", "预警范围", "依据"], "f in fires", ["{{ f.title }}", "{{ f.range }}", "{{ f.reason }}"],
               head_font=head, body_font=head)
    control(doc, "{%p else %}")
    paragraph(doc, "本月没有火灾事故。", **body)
    control(doc, "{%p endif %}")
    paragraph(doc, "六、下月工作任务", **heading)
    control(doc, "{%p for s in tasks %}")
    paragraph(doc, "{{ s.text }}", **body)
    control(doc, "{%p endfor %}")
    paragraph(doc, "{{ doc.issuer }}", font="仿宋", size=16, align="right")
    paragraph(doc, "{{ doc.date }}", font="仿宋", size=16, align="right")
    return doc


def register() -> None:
    register_type(DocumentType(
        key=KEY, label=TITLE, group=_("事故警示"), app_label="accidents", variables=VARIABLES, build_default=build,
        owner_kinds=(UnitKind.OFFICE,),
        rule=_("使用安委办自己的版本；没有时使用系统默认模板。")))
