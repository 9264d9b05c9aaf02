"""The campaign reports as document types: their variables and the layout of the shipped default template
(official style: A4, 方正小标宋 title, 黑体 headings, 仿宋 body, GB/T 9704 margins)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from documents.building import control, loop_table, new_document, paragraph
from documents.registry import DocumentType, Var, register_type

MONTHLY_KEY = "campaign_monthly"
ANNUAL_KEY = "campaign_annual"

VARIABLES = (
    Var("campaign.name", _("行动名称"), "湘乡市安全生产专项整治三年行动"),
    Var("campaign.office", _("行动的安委办（落款单位）"), "市安委办"),
    Var("report.title", _("报告标题（行动名称 + 统计期 + 工作进展情况/工作总结）"),
        "湘乡市安全生产专项整治三年行动2024年3月工作进展情况"),
    Var("report.period", _("统计期"), "2024年3月"),
    Var("report.start", _("统计期第一天"), "2024年3月1日"),
    Var("report.end", _("统计期最后一天"), "2024年3月31日"),
    Var("report.issued", _("成文日期（默认为统计期最后一天）"), "2024年3月31日"),
    Var("report.as_of", _("统计截至日（统计期未结束时为当天）"), "2024年3月31日"),
    Var("report.open_note", _("统计期尚未结束时的说明（已结束时为空）"),
        "本统计期尚未结束，数据截至2024年3月20日；期限在此之后的任务不计为逾期。"),
    Var("figures.total", _("整治任务总数"), 120),
    Var("figures.done", _("截至期末已完成的任务数"), 45),
    Var("figures.percent", _("完成率（%，整数）"), 38),
    Var("figures.done_in_period", _("本期完成的任务数"), 6),
    Var("figures.overdue", _("截至期末逾期未完成的任务数"), 3),
    Var("figures.reports_submitted", _("本期收到的进展报送份数"), 30),
    Var("figures.reports_accepted", _("其中采纳份数"), 26),
    Var("figures.reports_returned", _("其中退回份数"), 2),
    Var("plans", _("各方案进展，每个方案一项"), loop="p", item=(
        Var("label", _("方案（编号和简称）"), "D3 消防"),
        Var("total", _("任务数"), 12),
        Var("done", _("已完成"), 5),
        Var("percent", _("完成率（%）"), 42),
        Var("overdue", _("逾期"), 1),
    )),
    Var("unit_reports", _("本期各单位报送的工作进展（各单位原文），每份报送一项"), loop="r", item=(
        Var("unit", _("报送单位"), "东山街道"),
        Var("task", _("任务（编号和名称）"), "D3·1 消防通道划线"),
        Var("period", _("报送周期"), "2024年3月"),
        Var("state", _("审核状态"), "已采纳"),
        Var("narrative", _("工作进展（原文）"), "已完成辖区消防通道划线。"),
    )),
    Var("overdue_units", _("有逾期未完成任务的单位，按逾期任务数从多到少"), loop="u", item=(
        Var("name", _("责任单位"), "山枣镇"),
        Var("count", _("逾期任务数"), 2),
    )),
    Var("next_steps", _("下一步工作，按情况生成的若干条"), loop="s", item=(
        Var("number", _("序号（一、二、三……）"), "一"),
        Var("text", _("内容"), "动态更新问题隐患和制度措施“两个清单”，坚持边查边改、立查立改。"),
    )),
    Var("sections", _("其他模块的统计（执法检查等；campaigns.report_sections），每个指标一行"), loop="r", item=(
        Var("section", _("类别（每类第一行填写）"), "执法检查"),
        Var("label", _("指标"), "检查户次"),
        Var("value", _("数值"), "12"),
    )),
    Var("upcoming", _("下一期到期的任务（最多 20 项）"), loop="t", item=(
        Var("name", _("任务（编号和名称）"), "3 开展燃气安全专项排查"),
        Var("deadline", _("完成期限"), "2024年4月30日"),
    )),
)

RULE = _("安委办上传的版本用于本行动的报告；部门上传的版本用于本部门下载的报告（只含本部门的任务）；"
         "都没有时使用系统默认模板。")


def build_report_template() -> Any:
    doc = new_document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = "仿宋_GB2312"
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")

    def para(text: str, *, font: str = "仿宋_GB2312", size: float = 16, align: str = "",
             indent: bool = True) -> None:
        paragraph(doc, text, font=font, size=size, align=align, line_spacing=28,
                  first_line_indent=size * 2 if indent and not align else None)

    head, body = ("黑体", 12), ("仿宋_GB2312", 12)
    para("{{ report.title }}", font="方正小标宋简体", size=22, align="center")
    para("（{{ report.start }}—{{ report.end }}）", align="center")
    control(doc, "{%p if report.open_note %}")
    para("{{ report.open_note }}")
    control(doc, "{%p endif %}")
    para("一、总体情况", font="黑体")
    para("{{ campaign.name }}共有整治任务{{ figures.total }}项。截至{{ report.period }}末，已完成{{ figures.done }}项，"
         "完成率{{ figures.percent }}%；本期完成{{ figures.done_in_period }}项；逾期未完成{{ figures.overdue }}项。"
         "本期共收到进展报送{{ figures.reports_submitted }}份，采纳{{ figures.reports_accepted }}份，"
         "退回{{ figures.reports_returned }}份。")
    # Each unit's own words, as filed in the period (nothing when no unit reported).
    control(doc, "{%p if unit_reports %}")
    para("各单位报送的工作进展如下：")
    control(doc, "{%p for r in unit_reports %}")
    para("{{ r.unit }}（{{ r.task }}，{{ r.period }}，{{ r.state }}）：{{ r.narrative }}")
    control(doc, "{%p endfor %}")
    control(doc, "{%p endif %}")
    control(doc, "{%p if sections %}")
    para("其他工作情况：")
    loop_table(doc, ["类别", "指标", "数值"], "r in sections", ["{{ r.section }}", "{{ r.label }}", "{{ r.value }}"],
               head_font=head, body_font=body)
    control(doc, "{%p endif %}")
    para("二、各方案进展", font="黑体")
    loop_table(doc, ["方案", "任务数", "已完成", "完成率", "逾期"], "p in plans",
               ["{{ p.label }}", "{{ p.total }}", "{{ p.done }}", "{{ p.percent }}%", "{{ p.overdue }}"],
               head_font=head, body_font=body)
    para("三、逾期未完成任务的单位", font="黑体")
    control(doc, "{%p if overdue_units %}")
    loop_table(doc, ["责任单位", "逾期任务数"], "u in overdue_units", ["{{ u.name }}", "{{ u.count }}"],
               head_font=head, body_font=body)
    control(doc, "{%p else %}")
    para("本期没有逾期未完成任务的单位。")
    control(doc, "{%p endif %}")
    para("四、下一步工作", font="黑体")
    control(doc, "{%p for s in next_steps %}")
    para("{{ s.number }}是{{ s.text }}")
    control(doc, "{%p endfor %}")
    control(doc, "{%p if upcoming %}")
    loop_table(doc, ["任务", "完成期限"], "t in upcoming", ["{{ t.name }}", "{{ t.deadline }}"],
               head_font=head, body_font=body)
    control(doc, "{%p endif %}")
    para("")
    para("{{ campaign.office }}", align="right")
    para("{{ report.issued }}", align="right")
    return doc


def register() -> None:
    for key, label in ((MONTHLY_KEY, _("月度工作进展情况")), (ANNUAL_KEY, _("年度工作总结"))):
        register_type(DocumentType(key=key, label=label, group=_("专项整治"), app_label="campaigns",
                                   variables=VARIABLES, build_default=build_report_template, rule=RULE))
