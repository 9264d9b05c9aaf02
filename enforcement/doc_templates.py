"""执法文书 as document types (documents registry): 现场检查记录, 责令限期整改指令书, 整改复查意见书, 强制措施决定书. A4,
print-ready,
with signature and seal areas; numbered per department per year (services.next_number). The shipped defaults
are built here reproducibly (scripts/build_doc_templates.py); a department replaces them with its own edited
copies on the template pages.

Rules relied on (rules.md §1.1, §5.4): 安全生产法第六十五条 (责令立即排除/限期排除), 第六十七条 (出示执法证件),
第六十八条 (书面记录, signed by both sides; a refusal recorded); 行政处罚法第五十五条 (笔录)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from docx.shared import Mm

from documents.building import loop_table, new_document, paragraph
from documents.registry import DocumentType, Var, register_type
from orgs.choices import UnitKind

COERCIVE = "enforcement_coercive"
RULE = _("使用检查部门自己的版本；没有时使用系统默认模板。")
TITLES = {
    "enforcement_record": "现场检查记录",
    "enforcement_order": "责令限期整改指令书",
    "enforcement_review": "整改复查意见书",
    "enforcement_coercive": "强制措施决定书",
}

COMMON = (
    Var("doc.number", _("文书编号"), "湘乡应急检记〔2026〕12号"),
    Var("doc.date", _("制作日期"), "2026年6月1日"),
    Var("department.name", _("检查部门"), "湘乡市应急管理局"),
    Var("target.name", _("被检查单位"), "湘乡钢铁有限公司"),
    Var("target.address", _("地址"), "湘乡市东山街道钢铁路1号"),
    Var("target.principal", _("主要负责人"), "李四"),
    Var("inspection.origin", _("检查来源"), "双随机抽查"),
    Var("inspection.started", _("检查开始时间"), "2026年6月1日 09:30"),
    Var("inspection.finished", _("检查结束时间"), "2026年6月1日 11:45"),
    Var("inspection.place", _("检查场所"), "轧钢车间"),
    Var("inspectors", _("检查人员及执法证号"), loop="p", item=(
        Var("name", _("姓名"), "王五"), Var("cert_number", _("执法证号"), "43030012345"))),
    Var("findings", _("检查发现的问题"), loop="f", item=(
        Var("order", _("序号"), "1"), Var("text", _("问题"), "配电箱未接地"),
        Var("basis", _("依据"), "《安全生产法》第三十六条"))),
)
EXTRA = {
    "enforcement_record": (
        Var("inspection.summary", _("检查情况"), "检查了安全生产责任制落实和现场作业情况。"),
        Var("inspection.signature", _("被检查单位负责人签字情况（签字人，或拒签的记录）"), "李四"),
        Var("checked", _("对照检查表检查的项目（未列出的项目未检查）"), loop="c", item=(
            Var("checklist", _("检查表"), "《工贸企业重大事故隐患判定标准》"),
            Var("clause", _("条款"), "第四条第（一）项"), Var("text", _("检查内容"), "配电箱可靠接地"),
            Var("outcome", _("结果"), "不合格"))),
        Var("unchecked", _("所用检查表中未检查的项目（说明）"), "《工贸企业重大事故隐患判定标准》未检查12项"),
    ),
    "enforcement_coercive": (
        Var("coercive.measure", _("强制措施"), "查封有关场所、设施、设备"),
        Var("coercive.basis", _("法律依据"), "《中华人民共和国安全生产法》第六十五条第一款第（四）项"),
        Var("coercive.reason", _("事实和理由"), "检查发现喷涂车间未按规定设置防爆电气设备，存在重大事故隐患。"),
        Var("coercive.place", _("查封、扣押的场所、设施或者财物"), "喷涂车间"),
        Var("coercive.days", _("期限（日）"), "30"),
        Var("coercive.start", _("期限起"), "2026年6月1日"),
        Var("coercive.until", _("期限止"), "2026年6月30日"),
    ),
    "enforcement_order": (
        Var("order.deadline", _("整改期限"), "2026年6月15日"),
        Var("order.days", _("整改天数"), "14"),
        Var("order.record_number", _("现场检查记录编号"), "湘乡应急检记〔2026〕12号"),
    ),
    "enforcement_review": (
        Var("review.order_number", _("责令限期整改指令书编号"), "湘乡应急责改〔2026〕3号"),
        Var("review.note", _("复查意见"), "经复查，上述问题已整改完毕。"),
        Var("review.date", _("复查日期"), "2026年6月16日"),
    ),
}

HEAD = ("仿宋", 12)


def _page(doc: Any) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(26)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)


def _header(doc: Any, title: str) -> None:
    paragraph(doc, "{{ department.name }}", font="宋体", size=16, bold=True, align="center")
    paragraph(doc, title, font="宋体", size=22, bold=True, align="center", space_after=6)
    paragraph(doc, "{{ doc.number }}", font="仿宋", size=12, align="right", space_after=12)


def _people(doc: Any) -> None:
    paragraph(doc, "检查人员及执法证号：", font="黑体", size=12)
    loop_table(doc, ["检查人员", "执法证号"], "p in inspectors", ["{{ p.name }}", "{{ p.cert_number }}"],
               head_font=HEAD, body_font=HEAD)


def _findings(doc: Any, heading: str) -> None:
    paragraph(doc, heading, font="黑体", size=12)
    loop_table(doc, ["序号", "问题", "依据"], "f in findings", ["{{ f.order }}", "{{ f.text }}", "{{ f.basis }}"],
               head_font=HEAD, body_font=HEAD)


def _signatures(doc: Any, left: str, right: str) -> None:
    table = doc.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (left, right), strict=True):
        cell.text = text
    for cell in table.rows[1].cells:
        cell.text = "签名：\n\n年    月    日"
    paragraph(doc, "（检查部门印章）", font="仿宋", size=12, align="right")
    paragraph(doc, "{{ doc.date }}", font="仿宋", size=12, align="right")


def build(key: str) -> Any:
    doc = new_document()
    _page(doc)
    _header(doc, TITLES[key])
    body = {"font": "仿宋", "size": 14, "first_line_indent": 28}
    if key == "enforcement_record":
        paragraph(doc, "被检查单位：{{ target.name }}", **body)
        paragraph(doc, "地址：{{ target.address }}    主要负责人：{{ target.principal }}", **body)
        paragraph(doc, "检查场所：{{ inspection.place }}    检查来源：{{ inspection.origin }}", **body)
        paragraph(doc, "检查时间：{{ inspection.started }} 至 {{ inspection.finished }}", **body)
        _people(doc)
        paragraph(doc, "检查人员已出示行政执法证件（《安全生产法》第六十七条）。", **body)
        paragraph(doc, "检查情况：{{ inspection.summary }}", **body)
        _findings(doc, "发现的问题：")
        paragraph(doc, "对照检查表检查的项目：", font="黑体", size=12)
        loop_table(doc, ["检查表", "条款", "检查内容", "结果"], "c in checked",
                   ["{{ c.checklist }}", "{{ c.clause }}", "{{ c.text }}", "{{ c.outcome }}"],
                   head_font=HEAD, body_font=HEAD)
        paragraph(doc, "{{ unchecked }}", font="仿宋", size=12)
        paragraph(doc, "被检查单位负责人签字：{{ inspection.signature }}", **body)
        _signatures(doc, "检查人员", "被检查单位负责人")
    elif key == "enforcement_coercive":
        paragraph(doc, "{{ target.name }}：", font="仿宋", size=14)
        paragraph(doc, "本部门于{{ inspection.started }}在对你单位进行安全生产监督检查时发现："
                       "{{ coercive.reason }}", **body)
        paragraph(doc, "依据{{ coercive.basis }}和《中华人民共和国行政强制法》第十八条、第二十四条、第二十五条的规定，"
                       "本部门决定对你单位采取如下强制措施：{{ coercive.measure }}（{{ coercive.place }}），"
                       "期限{{ coercive.days }}日（{{ coercive.start }}至{{ coercive.until }}）。", **body)
        paragraph(doc, "在强制措施期间，你单位应当采取措施消除事故隐患；不得擅自启封或者使用被查封、扣押的场所、设施、"
                       "设备、器材。", **body)
        paragraph(doc, "如果不服本决定，可以依法在六十日内申请行政复议，或者在六个月内依法提起行政诉讼。", **body)
        _people(doc)
        _signatures(doc, "执法人员", "当事人（签收）")
    elif key == "enforcement_order":
        paragraph(doc, "{{ target.name }}：", font="仿宋", size=14)
        paragraph(doc, "经查，你单位存在下列问题（见现场检查记录 {{ order.record_number }}）：", **body)
        _findings(doc, "存在的问题：")
        paragraph(doc, "依据《中华人民共和国安全生产法》第六十五条第一款第（三）项的规定，现责令你单位于"
                       "{{ order.deadline }}前（{{ order.days }}日内）整改完毕，达到有关法律法规规章和标准规定的要求。"
                       "整改期间应采取措施保证安全。", **body)
        paragraph(doc, "如果不服本指令，可以依法在六十日内申请行政复议，或者在六个月内依法提起行政诉讼，"
                       "但本指令不停止执行，法律另有规定的除外。", **body)
        _people(doc)
        _signatures(doc, "检查人员", "被检查单位负责人（签收）")
    else:
        paragraph(doc, "{{ target.name }}：", font="仿宋", size=14)
        paragraph(doc, "本部门于{{ review.date }}对你单位执行《责令限期整改指令书》（{{ review.order_number }}）"
                       "的情况进行了复查，复查意见如下：", **body)
        _findings(doc, "原责令整改的问题：")
        paragraph(doc, "复查意见：{{ review.note }}", **body)
        _people(doc)
        _signatures(doc, "复查人员", "被检查单位负责人（签收）")
    return doc


# -- 行政处罚 ------------------------------------------------------------------------------------------------
CASE_TITLES = {
    "enforcement_penalty_notice": "行政处罚告知书",
    "enforcement_penalty_decision": "行政处罚决定书",
}
CASE_VARS = (
    Var("doc.number", _("文书编号"), "湘乡应急罚决〔2026〕3号"),
    Var("doc.date", _("制作日期"), "2026年6月20日"),
    Var("department.name", _("办案部门"), "湘乡市应急管理局"),
    Var("party.name", _("当事人"), "湘乡钢铁有限公司"),
    Var("party.credit_code", _("统一社会信用代码"), "91430381MA4L000000"),
    Var("party.address", _("地址"), "湘乡市东山街道钢铁路1号"),
    Var("party.representative", _("法定代表人"), "李四"),
    Var("case.cause", _("案由"), "未采取措施消除事故隐患"),
    Var("case.opened", _("立案日期"), "2026年6月1日"),
    Var("case.facts", _("违法事实"), "2026年6月1日检查发现……"),
    Var("case.basis", _("处罚依据"), "《中华人民共和国安全生产法》第一百零二条"),
    Var("case.penalty", _("处罚内容"), "罚款、罚款30000.00元"),
    Var("case.statement", _("陈述申辩/听证意见"), "当事人放弃陈述申辩"),
)


def build_case(key: str) -> Any:
    doc = new_document()
    _page(doc)
    paragraph(doc, "{{ department.name }}", font="宋体", size=16, bold=True, align="center")
    paragraph(doc, CASE_TITLES[key], font="宋体", size=22, bold=True, align="center", space_after=6)
    paragraph(doc, "{{ doc.number }}", font="仿宋", size=12, align="right", space_after=12)
    body = {"font": "仿宋", "size": 14, "first_line_indent": 28}
    paragraph(doc, "当事人：{{ party.name }}", font="仿宋", size=14)
    paragraph(doc, "统一社会信用代码：{{ party.credit_code }}    法定代表人：{{ party.representative }}", font="仿宋", size=14)
    paragraph(doc, "地址：{{ party.address }}", font="仿宋", size=14)
    paragraph(doc, "案由：{{ case.cause }}（{{ case.opened }}立案）", **body)
    paragraph(doc, "经查：{{ case.facts }}", **body)
    if key == "enforcement_penalty_notice":
        paragraph(doc, "依据{{ case.basis }}的规定，本部门拟对你单位作出如下行政处罚：{{ case.penalty }}。", **body)
        paragraph(doc, "根据《中华人民共和国行政处罚法》第四十四条、第四十五条、第六十三条的规定，你单位有权进行陈述和申辩；"
                       "符合听证条件的，有权要求听证。逾期视为放弃上述权利。", **body)
    else:
        paragraph(doc, "当事人陈述申辩/听证意见：{{ case.statement }}", **body)
        paragraph(doc, "依据{{ case.basis }}的规定，本部门决定对你单位作出如下行政处罚：{{ case.penalty }}。", **body)
        paragraph(doc, "罚款自收到本决定书之日起十五日内缴至指定银行。逾期不缴纳的，每日按罚款数额的百分之三加处罚款。"
                       "如不服本决定，可以在收到本决定书之日起六十日内申请行政复议，或者在六个月内依法提起行政诉讼。", **body)
    paragraph(doc, "（办案部门印章）", font="仿宋", size=12, align="right")
    paragraph(doc, "{{ doc.date }}", font="仿宋", size=12, align="right")
    return doc


def _builder(key: str) -> Callable[[], Any]:
    return lambda: build(key)


def _case_builder(key: str) -> Callable[[], Any]:
    return lambda: build_case(key)


def register() -> None:
    for key, title in TITLES.items():
        register_type(DocumentType(
            key=key, label=title, group=_("执法文书"), app_label="enforcement", variables=COMMON + EXTRA[key],
            build_default=_builder(key), owner_kinds=(UnitKind.DEPARTMENT, UnitKind.OFFICE), rule=RULE))
    for key, title in CASE_TITLES.items():
        register_type(DocumentType(
            key=key, label=title, group=_("执法文书"), app_label="enforcement", variables=CASE_VARS,
            build_default=_case_builder(key), owner_kinds=(UnitKind.DEPARTMENT, UnitKind.OFFICE), rule=RULE))


def department_name(unit: Any) -> str:
    return "湘乡" + unit.name if unit.name.startswith("市") else unit.name


def case_context(case: Any, number: str) -> dict[str, Any]:
    from enforcement.services import penalty_summary

    enterprise = case.enterprise
    return {
        "doc": {"number": number, "date": _date(timezone.localdate())},
        "department": {"name": department_name(case.department)},
        "party": {"name": enterprise.name, "credit_code": enterprise.credit_code, "address": enterprise.address,
                  "representative": enterprise.legal_representative},
        "case": {"cause": case.cause, "opened": _date(case.opened_on), "facts": case.facts, "basis": case.basis,
                 "penalty": penalty_summary(case), "statement": case.statement or "当事人未提出陈述申辩"},
    }


def _date(value: dt.date | dt.datetime | None, with_time: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
        if with_time:
            return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def context(inspection: Any, kind: str, number: str) -> dict[str, Any]:
    from enforcement.choices import FindingResult

    target = inspection.enterprise or inspection.premises
    findings = [f for f in inspection.findings.all() if kind == "enforcement_record" or f.result == FindingResult.HAZARD]
    docs = {d.kind: d.number for d in inspection.documents.all()}
    out: dict[str, Any] = {
        "doc": {"number": number, "date": _date(timezone.localdate())},
        "department": {"name": department_name(inspection.department)},
        "target": {"name": str(target or ""), "address": getattr(target, "address", "") or "",
                   "principal": getattr(target, "principal", "") or ""},
        "inspection": {"origin": inspection.get_origin_display(), "started": _date(inspection.started_at, True),
                       "finished": _date(inspection.finished_at, True), "place": inspection.place or ""},
        "inspectors": [{"name": i.name, "cert_number": i.cert_number} for i in inspection.inspectors.all()],
        "findings": [{"order": str(k), "text": f.text, "basis": f.basis} for k, f in enumerate(findings, 1)],
    }
    if kind == "enforcement_record":
        from enforcement.checklists import coverage

        out["inspection"]["summary"] = inspection.summary or ""
        out["inspection"]["signature"] = (f"拒绝签字（{inspection.refusal_note}）" if inspection.refused_to_sign
                                          else inspection.signer)
        used = coverage(inspection)
        out["checked"] = [{"checklist": entry["checklist"].citation, "clause": r.item.clause or f"第{r.item.position}项",
                           "text": r.item.text, "outcome": r.get_outcome_display()}
                          for entry in used for r in entry["results"]]
        out["unchecked"] = "；".join(
            f"{entry['checklist'].citation}未检查{len(entry['unchecked'])}项" if entry["unchecked"]
            else f"{entry['checklist'].citation}全部检查" for entry in used) or "未使用检查表。"
    elif kind == "enforcement_coercive":
        details = next((d.details for d in inspection.documents.all() if d.kind == kind), {}) or {}
        out["coercive"] = {"measure": details.get("measure_label", ""), "basis": details.get("basis", ""),
                           "reason": details.get("reason", ""), "place": details.get("place", "") or "——",
                           "days": str(details.get("days", "")),
                           "start": _date(_iso(details.get("from"))), "until": _date(_iso(details.get("until")))}
    elif kind == "enforcement_order":
        out["order"] = {"deadline": _date(inspection.review_due), "days": str(inspection.review_days or ""),
                        "record_number": docs.get("enforcement_record", "")}
    else:
        out["review"] = {"order_number": docs.get("enforcement_order", ""), "note": inspection.review_note or "",
                         "date": _date(timezone.localdate())}
    return out


def _iso(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
